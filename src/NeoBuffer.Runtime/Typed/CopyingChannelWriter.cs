using System;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace NeoBuffer;

/// <summary>
/// A <see cref="SharedChannelWriter{T}"/> seen as a <see cref="ChannelWriter{T}"/>, for code written against
/// System.Threading.Channels: each write copies the message in (<see cref="SharedChannelWriter{T}.TryWrite"/>).
/// </summary>
internal sealed class CopyingChannelWriter<T>(SharedChannelWriter<T> writer) : ChannelWriter<T> where T : unmanaged, IChannelMessage<T>
{
    public override bool TryWrite(T item) => writer.TryWrite(in item);

    // Every message is the same size, so "room for one" is exact and a true answer lets the next TryWrite succeed.
    public override ValueTask<bool> WaitToWriteAsync(CancellationToken cancellationToken = default) =>
        writer.WaitToWriteAsync(Unsafe.SizeOf<T>(), Timeout.InfiniteTimeSpan, cancellationToken);

    public override ValueTask WriteAsync(T item, CancellationToken cancellationToken = default) => writer.WriteAsync(item, cancellationToken);

    public override bool TryComplete(Exception? error = null) => writer.TryComplete(error);
}
