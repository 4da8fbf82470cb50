using System;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace NeoBuffer;

/// <summary>
/// A <see cref="SharedChannelReader"/> seen as a <see cref="ChannelReader{T}"/> of byte messages, for code written
/// against System.Threading.Channels: each read copies the message into an array of its own.
/// </summary>
internal sealed class CopyingByteChannelReader(SharedChannelReader reader) : ChannelReader<ReadOnlyMemory<byte>>
{
    public override Task Completion => reader.Completion;

    public override bool TryRead(out ReadOnlyMemory<byte> item)
    {
        bool read = reader.TryRead(out byte[]? message);
        item = message;
        return read;
    }

    public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) => reader.WaitToReadAsync(cancellationToken);
}
