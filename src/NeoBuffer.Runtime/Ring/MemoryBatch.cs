using System;

namespace NeoBuffer.Ring;

/// <summary>A batch of byte messages of any lengths, each its own <see cref="ReadOnlyMemory{T}"/>.</summary>
internal readonly ref struct MemoryBatch(ReadOnlySpan<ReadOnlyMemory<byte>> messages) : IMessageBatchSource
{
    private readonly ReadOnlySpan<ReadOnlyMemory<byte>> _messages = messages;

    public int Count => _messages.Length;

    public int LengthAt(int index) => _messages[index].Length;

    public void CopyTo(int index, Span<byte> destination) => _messages[index].Span.CopyTo(destination);
}
