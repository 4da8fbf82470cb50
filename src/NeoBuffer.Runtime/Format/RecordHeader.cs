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
}
