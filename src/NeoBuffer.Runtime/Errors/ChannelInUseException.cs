namespace NeoBuffer;

/// <summary>
/// A channel cannot be removed because a live process is attached to it (<see cref="ChannelInspector.Remove"/>). Stop
/// its processes first, or force the removal: they keep their mapping, but nobody new finds the channel.
/// </summary>
public sealed class ChannelInUseException : SharedChannelException
{
    /// <summary>Creates the exception.</summary>
    public ChannelInUseException(string message) : base(message)
    {
    }
}
