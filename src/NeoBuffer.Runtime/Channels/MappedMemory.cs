using System;
using System.Buffers;

namespace NeoBuffer;

/// <summary>
/// A <see cref="Memory{T}"/> window onto bytes in a mapped segment, re-pointed for each message an enumeration yields:
/// lets <c>ReadAllAsync</c> hand out zero-copy memory without allocating per message.
/// </summary>
internal sealed unsafe class MappedMemory : MemoryManager<byte>
{
    private byte* _pointer;
    private int _length;

    public void Set(byte* pointer, int length)
    {
        _pointer = pointer;
        _length = length;
    }

    public void Clear() => Set(null, 0);

    /// <summary>The length of the message the window shows now.</summary>
    public int Length => _length;

    public override Span<byte> GetSpan() => new(_pointer, _length);

    public override MemoryHandle Pin(int elementIndex = 0) => new(_pointer + elementIndex);

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing) => Clear();
}
