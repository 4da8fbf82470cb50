namespace NeoBuffer;

/// <summary>Where a channel's stream stands, as <see cref="SharedChannel.List"/> reads it from the header.</summary>
public enum ChannelCompletionState
{
    /// <summary>The writer has not completed the channel: more messages may come.</summary>
    Open,

    /// <summary>The writer completed the channel: readers read what was written, then see the end.</summary>
    Completed,

    /// <summary>The channel was completed with an error, or (SPSC, broadcast) its writer died.</summary>
    Faulted,
}
