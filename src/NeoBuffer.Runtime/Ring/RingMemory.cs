using System;
using System.Runtime.CompilerServices;
using NeoBuffer.Format;
using NeoBuffer.Segments;

namespace NeoBuffer.Ring;

/// <summary>
/// The ring's data area as this process validated it at open: the address, the capacity and the largest payload are
/// local copies, never re-read from shared memory. Everything every topology does to record bytes goes through here:
/// writing padding, and reading a record header back with every field checked before it becomes an address.
/// </summary>
internal sealed unsafe class RingMemory
{
    public RingMemory(SharedSegment segment, int frameSize)
    {
        Segment = segment;
        Header = segment.Header;
        Data = segment.Data;
        Capacity = segment.Geometry.Capacity;
        Mask = Capacity - 1;
        MaxPayload = segment.Geometry.MaxPayloadSize;
        FrameSize = frameSize;
        Name = segment.Name;
        LongestRecord = RecordFraming.Footprint(MaxPayload, frameSize) + RecordFraming.LargePayloadAlignment;
    }

    public SharedSegment Segment { get; }

    public ChannelHeader* Header { get; }

    public byte* Data { get; }

    public long Capacity { get; }

    public long Mask { get; }

    public int MaxPayload { get; }

    /// <summary>Bytes in front of each payload (<see cref="RecordFraming.PlainFrame"/> or <see cref="RecordFraming.SequencedFrame"/>).</summary>
    public int FrameSize { get; }

    public string Name { get; }

    /// <summary>
    /// The most ring one record takes: a message of the largest payload, or a padding piece, which is shorter than the
    /// record it makes room for plus that record's alignment gap (MPSC recovery padding is cut to this length too).
    /// Under int.MaxValue, since the largest payload is: a length checked against it can be narrowed to int.
    /// </summary>
    public long LongestRecord { get; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public RecordHeader* RecordAt(long position) => (RecordHeader*)(Data + (position & Mask));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte* PayloadAt(long recordPosition) => Data + (recordPosition & Mask) + FrameSize;

    /// <summary>Padding before a record of <paramref name="length"/> bytes at <paramref name="position"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long PaddingBefore(long position, int length) => RecordFraming.PaddingBefore(position, length, Capacity, FrameSize);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long Footprint(int length) => RecordFraming.Footprint(length, FrameSize);

    /// <summary>Throws unless 0 &lt;= <paramref name="length"/> &lt;= the channel's largest payload.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void CheckLength(int length)
    {
        if ((uint)length > (uint)MaxPayload)
        {
            RingErrors.ThrowTooLarge(Name, length, MaxPayload);
        }
    }

    /// <summary>
    /// Zeroes the ring from position <paramref name="from"/> up to <paramref name="to"/>, at most a ring further on (in
    /// two pieces when the stretch runs across the ring's end).
    /// </summary>
    public void Clear(long from, long to)
    {
        long length = to - from;
        if (length < 0 || length > Capacity)
        {
            throw Corrupted($"a stretch [{from}, {to}) to zero is not within one ring");
        }

        long offset = from & Mask;
        long first = Math.Min(length, Capacity - offset);
        ClearBytes(Data + offset, first);
        ClearBytes(Data, length - first);
    }

    private static void ClearBytes(byte* at, long length)
    {
        while (length > 0)
        {
            int piece = (int)Math.Min(length, int.MaxValue);
            new Span<byte>(at, piece).Clear();
            at += piece;
            length -= piece;
        }
    }

    /// <summary>
    /// Writes the padding before a record (at most two pieces: to the end of the ring, then from its start to the
    /// payload's alignment), each header with one 8-byte release store; the piece at <paramref name="position"/> goes last, so a reader
    /// that sees it sees everything written behind it (the SPSC commit relies on that).
    /// </summary>
    public void WritePadding(long position, long padding)
    {
        if (padding != 0)
        {
            System.Threading.Volatile.Write(ref *(long*)(Data + (position & Mask)), WritePaddingBehind(position, padding));
        }
    }

    /// <summary>
    /// Writes the padding of <paramref name="padding"/> (non-zero) bytes at <paramref name="position"/> except the header of its
    /// first piece, which it returns as the word to store at <paramref name="position"/>: a batch publishes with one
    /// store of the header at its start, which may be this one.
    /// </summary>
    public long WritePaddingBehind(long position, long padding)
    {
        long offset = position & Mask;
        long first = Math.Min(padding, Capacity - offset);
        if (first > LongestRecord || padding - first > LongestRecord)
        {
            // PaddingBefore never gives more; checked so that no length is ever narrowed unchecked.
            throw Corrupted($"padding of {padding} bytes at position {position} is longer than any record");
        }

        if (padding > first)
        {
            PublishRecord((RecordHeader*)Data, RecordHeader.TypePadding, (int)(padding - first));
        }

        return RecordHeader.Word(RecordHeader.TypePadding, (int)first);
    }

    /// <summary>
    /// Writes a record header with one 8-byte release store (the MPSC and SPSC commits): a reader polling the header
    /// sees either the old 8 bytes or the new ones, never a type without its length.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void PublishRecord(RecordHeader* record, int type, int length)
    {
        System.Threading.Volatile.Write(ref *(long*)record, RecordHeader.Word(type, length));
    }

    /// <summary>
    /// Checks the header of the record at <paramref name="position"/>, whose bytes up to <paramref name="limit"/> are
    /// known to be written: returns its footprint, and whether it is padding. Throws <see cref="ChannelCorruptedException"/>
    /// for a length or type no producer writes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long CheckRecord(long position, RecordHeader record, long limit, out bool isPadding)
    {
        if (!IsWellFormed(position, record, limit, Capacity, FrameSize, MaxPayload, out long footprint, out isPadding))
        {
            ThrowBadRecord(position, record, limit);
        }

        return footprint;
    }

    /// <summary>
    /// The rule <see cref="CheckRecord"/> enforces, for callers that decide themselves what a bad header means (a
    /// read-only spy, for which it may be a record overwritten while it looked): a length of at least the frame (the
    /// header alone for padding), within the end of the ring and <paramref name="limit"/>, and a known type whose
    /// payload fits <paramref name="maxPayload"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsWellFormed(long position, RecordHeader record, long limit, long capacity, int frameSize, int maxPayload, out long footprint, out bool isPadding)
    {
        long offset = position & (capacity - 1);
        footprint = RecordFraming.Align8(record.Length);
        isPadding = record.Type == RecordHeader.TypePadding;
        return record.Length >= (isPadding ? RecordHeader.Size : frameSize) && footprint <= capacity - offset && footprint <= limit - position &&
            (isPadding || (record.Type == RecordHeader.TypeMessage && record.Length - frameSize <= maxPayload));
    }

    public ChannelCorruptedException Corrupted(string what) =>
        new($"Channel '{Name}' is corrupted: {what}. A peer process is faulty or wrote into the segment; the channel cannot be trusted further.");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowBadRecord(long position, RecordHeader record, long limit) =>
        throw Corrupted($"the record at position {position} has type {record.Type} and length {record.Length}, which does not fit before position {limit}, the end of the ring, or the channel's {MaxPayload}-byte message limit");

}
