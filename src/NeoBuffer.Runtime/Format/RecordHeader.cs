using System.Runtime.InteropServices;

namespace NeoBuffer.Format;

/// <summary>
/// The 8 bytes in front of every record in the ring (docs/format.md, "Records"). <see cref="Length"/> counts the header
/// and the payload, unaligned; the record occupies <see cref="RecordFraming.Footprint"/> bytes of the ring.
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = Size)]
internal struct RecordHeader
{
    public const int Size = 8;
    public const int TypeMessage = 1;
    public const int TypePadding = -1;

    public int Length;
    public int Type;

    /// <summary>
    /// The header as the one 8-byte word it is stored as (Length the low half, Type the high: little-endian, as every
    /// supported target is), composed in a register: a <see cref="RecordHeader"/> local may be spilled as two 4-byte
    /// stores and reloaded as 8 bytes, a store-forwarding stall on x86-64.
    /// </summary>
    public static long Word(int type, int length) => (uint)length | ((long)type << 32);
}
