using System;
using System.Buffers.Binary;
using NeoBuffer.Format;

namespace NeoBuffer.Fuzz;

/// <summary>
/// Builds a ring's bytes as a producer lays them out: padding (to the end of the ring, then to a large payload's
/// alignment) placed by <see cref="RecordFraming.PaddingBefore"/>, then the record; and serialises the region from the
/// head to the tail as a <see cref="RingStage"/> input.
/// </summary>
internal sealed class RingImage
{
    private readonly byte[] _ring = new byte[FuzzRings.Capacity];
    private readonly byte _selector;
    private readonly int _frame;
    private readonly long _head;
    private readonly uint _lap;
    private long _sequence;

    public RingImage(byte selector, long headOffset, uint lap = 0)
    {
        _selector = selector;
        _frame = (selector & RingInput.Sequenced) != 0 ? RecordFraming.SequencedFrame : RecordFraming.PlainFrame;
        _head = headOffset;
        _lap = lap;
        Position = headOffset;
    }

    /// <summary>Next position (relative to lap 0); the tail once everything is added.</summary>
    public long Position { get; private set; }

    public RingImage Add(ReadOnlySpan<byte> payload)
    {
        long padding = RecordFraming.PaddingBefore(Position, payload.Length, FuzzRings.Capacity, _frame);
        if (padding > 0)
        {
            long offset = Position & (FuzzRings.Capacity - 1);
            long first = Math.Min(padding, FuzzRings.Capacity - offset);
            Header((int)offset, (int)first, RecordHeader.TypePadding);
            if (padding > first)
            {
                Header(0, (int)(padding - first), RecordHeader.TypePadding);
            }

            Position += padding;
        }

        int at = (int)(Position & (FuzzRings.Capacity - 1));
        Header(at, _frame + payload.Length, RecordHeader.TypeMessage);
        if (_frame == RecordFraming.SequencedFrame)
        {
            BinaryPrimitives.WriteInt64LittleEndian(_ring.AsSpan(at + RecordHeader.Size), _sequence++);
        }

        payload.CopyTo(_ring.AsSpan(at + _frame));
        Position += RecordFraming.Footprint(payload.Length, _frame);
        return this;
    }

    /// <summary>Writes raw bytes at a ring offset (for malformed seeds).</summary>
    public RingImage Poke(long offset, int length, int type)
    {
        Header((int)offset, length, type);
        return this;
    }

    public byte[] ToInput() => ToInput(Position - _head);

    public byte[] ToInput(long written)
    {
        byte[] region = new byte[written];
        for (long i = 0; i < written; i++)
        {
            region[i] = _ring[(_head + i) & (FuzzRings.Capacity - 1)];
        }

        return RingInput.Compose(_selector, _head, written, _lap, region);
    }

    private void Header(int offset, int length, int type)
    {
        BinaryPrimitives.WriteInt32LittleEndian(_ring.AsSpan(offset), length);
        BinaryPrimitives.WriteInt32LittleEndian(_ring.AsSpan(offset + 4), type);
    }
}
