using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NeoBuffer.Ring;

/// <summary>A batch of fixed-size messages: each element of the span is one message of its bytes.</summary>
internal readonly ref struct UnmanagedBatch<T>(ReadOnlySpan<T> messages) : IMessageBatchSource where T : unmanaged
{
    private readonly ReadOnlySpan<T> _messages = messages;

    public int Count => _messages.Length;

    public unsafe int LengthAt(int index) => sizeof(T);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void CopyTo(int index, Span<byte> destination) =>
        MemoryMarshal.Write(destination, in _messages[index]);
}
