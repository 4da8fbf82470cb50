using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace NeoBuffer;

/// <summary>
/// A <see cref="SharedChannelReader{T}"/> seen as a <see cref="ChannelReader{T}"/>, for code written against
/// System.Threading.Channels: each read copies the message out (<see cref="SharedChannelReader{T}.TryRead"/>).
/// </summary>
internal sealed class CopyingChannelReader<T>(SharedChannelReader<T> reader) : ChannelReader<T> where T : unmanaged, IChannelMessage<T>
{
    public override Task Completion => reader.Completion;

    public override bool TryRead(out T item) => reader.TryRead(out item);

    public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) => reader.WaitToReadAsync(cancellationToken);
}
