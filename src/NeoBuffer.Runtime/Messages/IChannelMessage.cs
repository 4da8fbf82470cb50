namespace NeoBuffer;

/// <summary>
/// Implemented by the source generator for every valid <see cref="ChannelMessageAttribute">[ChannelMessage]</see>
/// struct: gives channels the message's layout and identity without reflection.
/// </summary>
/// <typeparam name="TSelf">The message type itself.</typeparam>
public interface IChannelMessage<TSelf> where TSelf : unmanaged, IChannelMessage<TSelf>
{
    /// <summary>The message's byte layout, fingerprint and canonical schema text.</summary>
    static abstract MessageLayout Layout { get; }
}
