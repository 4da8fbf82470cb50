using System.Runtime.CompilerServices;

namespace NeoBuffer.Format;

/// <summary>
/// Where records go in the ring: the alignment rules and the placement of padding. Pure arithmetic on positions, shared
/// by every producer and checked by the property tests. <c>frameSize</c> is the bytes in front of the payload: the
/// 8-byte <see cref="RecordHeader"/>, plus an 8-byte record sequence in broadcast channels.
/// </summary>
internal static class RecordFraming
{
    /// <summary>Every record starts on an 8-byte boundary and occupies a multiple of 8 bytes.</summary>
    public const int RecordAlignment = 8;

    /// <summary>Payloads at least this long start on a 64-byte boundary (a cache line), for the consumer's vector loads.</summary>
    public const int LargePayloadThreshold = 1024;

    /// <summary>Alignment of a large record's payload.</summary>
    public const int LargePayloadAlignment = 64;

    /// <summary>Frame of SPSC and MPSC records: the record header alone.</summary>
    public const int PlainFrame = RecordHeader.Size;

    /// <summary>Frame of broadcast records: the record header, then the record's 64-bit sequence number.</summary>
    public const int SequencedFrame = RecordHeader.Size + sizeof(long);

    /// <summary>Whether <paramref name="position"/> (a position, an offset or a length) is on a record boundary.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsAligned(long position) => (position & (RecordAlignment - 1)) == 0;

    /// <summary>
    /// Whether <paramref name="position"/>, read from shared memory, is a record boundary within
    /// [<paramref name="low"/>, <paramref name="high"/>]: the one check every position a peer stored passes before it is
    /// used to compute an address.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsBoundaryWithin(long position, long low, long high) => position >= low && position <= high && IsAligned(position);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Align8(long value) => (value + (RecordAlignment - 1)) & ~(long)(RecordAlignment - 1);

    /// <summary>Bytes of ring a record with <paramref name="payloadLength"/> payload bytes occupies.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Footprint(int payloadLength, int frameSize = PlainFrame) => Align8(frameSize + (long)payloadLength);

    /// <summary>
    /// Places a record of <paramref name="payloadLength"/> bytes at <paramref name="position"/> (8-aligned) in a ring of
    /// <paramref name="capacity"/> bytes: returns how many bytes of padding come first (to the end of the ring when the
    /// record would not fit before it, then to the payload's alignment). The record starts at position + padding and
    /// never crosses the end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long PaddingBefore(long position, int payloadLength, long capacity, int frameSize = PlainFrame)
    {
        long offset = position & (capacity - 1);
        long footprint = Footprint(payloadLength, frameSize);
        long padding = AlignmentGap(offset, payloadLength, frameSize);
        if (offset + padding + footprint > capacity)
        {
            padding = capacity - offset + AlignmentGap(0, payloadLength, frameSize);
        }

        return padding;
    }

    /// <summary>Bytes to skip from ring offset <paramref name="offset"/> so the payload lands on its alignment.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long AlignmentGap(long offset, int payloadLength, int frameSize) =>
        payloadLength < LargePayloadThreshold
            ? 0
            : (LargePayloadAlignment - frameSize - offset) & (LargePayloadAlignment - 1);

    /// <summary>The most ring a record with <paramref name="payloadLength"/> bytes can need, padding included.</summary>
    public static long WorstCaseFootprint(int payloadLength, int frameSize = PlainFrame) =>
        Footprint(payloadLength, frameSize) * 2 + 2 * LargePayloadAlignment;
}
