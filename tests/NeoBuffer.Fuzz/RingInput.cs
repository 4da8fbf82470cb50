using System;
using System.Buffers.Binary;

namespace NeoBuffer.Fuzz;

/// <summary>The control bytes in front of a ring image (see <see cref="RingStage"/>), read and written.</summary>
public static class RingInput
{
    public const int ControlSize = 9;

    /// <summary>Byte 0: bit 0 broadcast (sequenced) frame, bit 1 the ring whose payload limit is 64 bytes.</summary>
    public const byte Sequenced = 1;
    public const byte SmallLimit = 2;

    public static long Head(ReadOnlySpan<byte> input, long capacity)
    {
        long offset = BinaryPrimitives.ReadUInt16LittleEndian(input.Slice(1)) & (capacity - 1) & ~7L;
        long lap = BinaryPrimitives.ReadUInt32LittleEndian(input.Slice(5));
        return lap * capacity + offset;
    }

    public static long Written(ReadOnlySpan<byte> input, long capacity) =>
        Math.Min(BinaryPrimitives.ReadUInt16LittleEndian(input.Slice(3)), capacity) & ~7L;

    public static byte[] Compose(byte ring, long headOffset, long written, uint lap, ReadOnlySpan<byte> fromHead)
    {
        byte[] bytes = new byte[ControlSize + fromHead.Length];
        bytes[0] = ring;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(1), checked((ushort)headOffset));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(3), checked((ushort)written));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(5), lap);
        fromHead.CopyTo(bytes.AsSpan(ControlSize));
        return bytes;
    }
}
