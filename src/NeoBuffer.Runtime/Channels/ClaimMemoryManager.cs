using System;
using System.Buffers;

namespace NeoBuffer;

/// <summary>
/// The <see cref="MemoryManager{T}"/> behind <see cref="ClaimBufferWriter.GetMemory"/>: one per buffer writer, reused
/// for every claim. Its span is always the buffer writer's open claim, looked up on each access, so a memory kept past
/// its claim's commit or abort throws instead of reaching into ring space that is no longer the caller's.
/// </summary>
internal sealed unsafe class ClaimMemoryManager(ClaimBufferWriter owner) : MemoryManager<byte>
{
    public override Span<byte> GetSpan() => owner.ClaimedSpan();

    // Shared memory is mapped for the writer's lifetime and never moves: there is nothing to pin.
    public override MemoryHandle Pin(int elementIndex = 0)
    {
        Span<byte> claim = owner.ClaimedSpan();
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)elementIndex, (uint)claim.Length, nameof(elementIndex));
        return new MemoryHandle(owner.ClaimedPointer() + elementIndex);
    }

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}
