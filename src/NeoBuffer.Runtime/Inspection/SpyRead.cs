namespace NeoBuffer;

/// <summary>What one <see cref="ChannelSpy.TryRead"/> found.</summary>
public enum SpyRead
{
    /// <summary>No message past the spy's position yet.</summary>
    None,

    /// <summary>A message, copied out intact.</summary>
    Message,

    /// <summary>
    /// The spy was too slow: what lay at its position was read (or overwritten) before it could copy it, and it moved on
    /// to the oldest message still there. <see cref="ChannelSpy.LastSkippedMessages"/> and
    /// <see cref="ChannelSpy.LastSkippedBytes"/> say how much it missed.
    /// </summary>
    Skipped,
}
