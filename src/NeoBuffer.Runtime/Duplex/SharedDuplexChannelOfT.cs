using System;

namespace NeoBuffer;

/// <summary>
/// One end of a typed duplex channel: this side writes <typeparamref name="TWrite"/> messages and reads
/// <typeparamref name="TRead"/> messages, so the peer opens it with the two types the other way round
/// (<c>CreateDuplex&lt;Ping, Pong&gt;</c> here, <c>OpenDuplex&lt;Pong, Ping&gt;</c> there). Each ring records its
/// schema, and a peer of another schema is refused at open with both schemas shown. See
/// <see cref="SharedDuplexChannel"/> for completion, dead peers and dispose.
/// </summary>
/// <typeparam name="TWrite">What this side writes: a <see cref="ChannelMessageAttribute">[ChannelMessage]</see> struct.</typeparam>
/// <typeparam name="TRead">What this side reads.</typeparam>
public sealed class SharedDuplexChannel<TWrite, TRead> : IDisposable
    where TWrite : unmanaged, IChannelMessage<TWrite>
    where TRead : unmanaged, IChannelMessage<TRead>
{
    internal SharedDuplexChannel(SharedDuplexChannel channel)
    {
        Untyped = channel;
        Writer = new SharedChannelWriter<TWrite>(channel.Writer);
        Reader = new SharedChannelReader<TRead>(channel.Reader);
    }

    /// <summary>The same two endpoints, moving whole records as bytes.</summary>
    public SharedDuplexChannel Untyped { get; }

    /// <summary>The channel's name.</summary>
    public string Name => Untyped.Name;

    /// <summary>This side's writer of <typeparamref name="TWrite"/> messages.</summary>
    public SharedChannelWriter<TWrite> Writer { get; }

    /// <summary>This side's reader of <typeparamref name="TRead"/> messages.</summary>
    public SharedChannelReader<TRead> Reader { get; }

    /// <summary>Detaches both endpoints.</summary>
    public void Dispose() => Untyped.Dispose();
}
