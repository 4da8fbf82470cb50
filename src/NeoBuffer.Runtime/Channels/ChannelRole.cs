namespace NeoBuffer;

/// <summary>What a participant is to its channel, as <see cref="SharedChannel.List"/> and the <c>neobuffer.role</c> metric tag name it.</summary>
public enum ChannelRole
{
    /// <summary>A <see cref="SharedChannelWriter"/> of any topology.</summary>
    Writer,

    /// <summary>The one <see cref="SharedChannelReader"/> of an SPSC or MPSC channel.</summary>
    Reader,

    /// <summary>A <see cref="SharedChannelReader"/> of a broadcast channel, tethered or lossy.</summary>
    Subscriber,
}
