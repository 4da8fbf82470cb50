using System.Runtime.CompilerServices;

namespace NeoBuffer.Format;

/// <summary>
/// Where records go in the ring: the alignment rules and the placement of padding. Pure arithmetic on positions, shared
/// by every producer and checked by the property tests.
/// </summary>
internal static class RecordFraming
{
    /// <summary>Every record starts on an 8-byte boundary and occupies a multiple of 8 bytes.</summary>
    public const int RecordAlignment = 8;

    /// <summary>Payloads at least this long start on a 64-byte boundary (a cache line), for the consumer's vector loads.</summary>
    public const int LargePayloadThreshold = 1024;

    /// <summary>Alignment of a large record's payload.</summary>
    public const int LargePayloadAlignment = 64;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Align8(long value) => (value + (RecordAlignment - 1)) & ~(long)(RecordAlignment - 1);

    /// <summary>Bytes of ring a record with <paramref name="payloadLength"/> payload bytes occupies.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Footprint(int payloadLength) => Align8(RecordHeader.Size + (long)payloadLength);

    /// <summary>
    /// Places a record of <paramref name="payloadLength"/> bytes at <paramref name="position"/> (8-aligned) in a ring of
    /// <paramref name="capacity"/> bytes: returns how many bytes of padding come first (to the end of the ring when the
    /// record would not fit before it, then to the payload's alignment). The record starts at position + padding and
    /// never crosses the end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long PaddingBefore(long position, int payloadLength, long capacity)
    {
        long offset = position & (capacity - 1);
        long footprint = Footprint(payloadLength);
        long padding = AlignmentGap(offset, payloadLength);
        if (offset + padding + footprint > capacity)
        {
            padding = capacity - offset + AlignmentGap(0, payloadLength);
        }

        return padding;
    }

    /// <summary>Bytes to skip from ring offset <paramref name="offset"/> so the payload lands on its alignment.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long AlignmentGap(long offset, int payloadLength) =>
        payloadLength < LargePayloadThreshold
            ? 0
            : (LargePayloadAlignment - RecordHeader.Size - offset) & (LargePayloadAlignment - 1);

    /// <summary>The most ring a record with <paramref name="payloadLength"/> bytes can need, padding included.</summary>
    public static long WorstCaseFootprint(int payloadLength) =>
        Footprint(payloadLength) * 2 + 2 * LargePayloadAlignment;
}
