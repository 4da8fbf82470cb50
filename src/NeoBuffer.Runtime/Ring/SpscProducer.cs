using System;
using System.Runtime.CompilerServices;
using System.Threading;
using NeoBuffer.Format;
using NeoBuffer.Waiting;

namespace NeoBuffer.Ring;

/// <summary>
/// The producer's side of the single-producer single-consumer ring protocol (docs/format.md, "SPSC protocol").
/// <para>
/// Publication: a record is committed by a release store of the 8-byte header at its position, so the consumer,
/// which reads that header anyway, needs no other line: the producer's tail never travels between the cores. For the
/// consumer to tell a committed header from bytes of an older lap, the header at the producer's tail is always zero:
/// each claim zeroes the header that will follow the record (it keeps 8 bytes of slack for it), and
/// it writes the padding and record headers behind the first one before it publishes that one. Each publication is
/// followed by a load of the peer's wake word, ordered after the store by <see cref="Publication"/>: that
/// store-then-load pair, mirrored by the parking side, is what makes a lost wake-up impossible.
/// </para>
/// <para>
/// <see cref="ChannelHeader.Tail"/> is still stored after each commit, for tools and for a producer that attaches
/// later; no reader depends on it. Head, read from shared memory, is checked against this side's own tail and the
/// capacity validated at open before it is used.
/// </para>
/// </summary>
internal sealed unsafe class SpscProducer : RingProducer
{
    private readonly bool _failWhenReaderDies;
    private long _tail;
    private long _cachedHead;
    private long _claimPadding;

    private SpscProducer(RingMemory memory, bool failWhenReaderDies)
        : base(memory)
    {
        _failWhenReaderDies = failWhenReaderDies;
    }

    /// <summary>
    /// Opens the producer's side. It resumes where the previous producer's records end: at Tail, or past it when a
    /// producer died between publishing a record and storing Tail (the consumer may even have read beyond Tail by then).
    /// </summary>
    public static SpscProducer Open(RingMemory memory, bool failWhenReaderDies)
    {
        var producer = new SpscProducer(memory, failWhenReaderDies);
        long head = Volatile.Read(ref memory.Header->Head);
        long tail = Volatile.Read(ref memory.Header->Tail);
        if (!RecordFraming.IsBoundaryWithin(head, 0, long.MaxValue) || !RecordFraming.IsBoundaryWithin(tail, 0, long.MaxValue) || tail - head > memory.Capacity - RecordHeader.Size || head - tail > memory.Capacity)
        {
            throw memory.Corrupted($"head {head} and tail {tail} are inconsistent");
        }

        producer._cachedHead = head;
        producer._tail = producer.CommittedEnd(head, Math.Max(head, tail));
        return producer;
    }

    /// <summary>Walks committed records from <paramref name="position"/> to the first zero header: the true tail.</summary>
    private long CommittedEnd(long head, long position)
    {
        long limit = head + Capacity - RecordHeader.Size;
        while (true)
        {
            long word = Volatile.Read(ref *(long*)Memory.RecordAt(position));
            if (word == 0)
            {
                return position;
            }

            position += Memory.CheckRecord(position, Unsafe.As<long, RecordHeader>(ref word), limit, out _);
        }
    }

    // claim -> fill -> commit (or abort)

    protected override byte* TryClaimChecked(int length)
    {
        long padding = Memory.PaddingBefore(_tail, length);
        long end = _tail + padding + Memory.Footprint(length);
        if (!HasRoomUpTo(end))
        {
            return null;
        }

        ClaimPosition = _tail + padding;
        _claimPadding = padding;
        ClaimLength = length;

        // The header after the record is zeroed now, before the caller writes the payload, not at the commit: then the
        // commit's one store lands on a line the producer has just written, instead of queuing behind the ownership of
        // the next line while a polling consumer takes the record's first line back (one more transfer of that line per
        // message; measured in docs/benchmarks/notes.md). It is free ring, past the zero header at the tail that holds
        // every reader back, so storing it early publishes nothing; an aborted claim leaves it there, as harmless as
        // any byte of free ring.
        *(long*)Memory.RecordAt(end) = 0;
        return Memory.PayloadAt(ClaimPosition);
    }

    public override void Commit(int length)
    {
        // A shorter message ends earlier: this producer alone moves the tail and nothing was published past the claim's
        // start, so the tail simply stops at the shorter record's end and the rest of the claim is free ring again.
        // The zeroed header goes there (inside the claimed room, so within the slack HasRoomUpTo kept); the padding
        // before the record, already sized for the claimed length, stays as it is, and a payload that was 64-aligned
        // for a large claim may be short now, which no reader minds (alignment is a floor for large payloads only).
        long end = ClaimPosition + Memory.Footprint(length);

        // Everything behind the header at the tail first; that header, stored last with release, publishes them all.
        // The claim zeroed the header after the record as claimed; a shorter record ends earlier and needs its own.
        if (length != ClaimLength)
        {
            *(long*)Memory.RecordAt(end) = 0;
        }

        // The word composed in a register (RecordHeader.Word says why): built as a struct, the header was spilled as two
        // 4-byte stores and reloaded as 8, a load that had to wait until every earlier store of the claim (the payload,
        // on lines the consumer held) reached the cache. That put a line transfer's wait inside each commit, in series
        // with the work after it, where the transfer otherwise overlaps it (docs/benchmarks/notes.md, 2026-12-02, fifth session).
        long record = RecordHeader.Word(RecordHeader.TypeMessage, RecordHeader.Size + length);
        ProtocolPoint.Reached(ProtocolPoint.SpscPublishing);
        if (_claimPadding == 0)
        {
            Volatile.Write(ref *(long*)Memory.RecordAt(ClaimPosition), record);
        }
        else
        {
            *(long*)Memory.RecordAt(ClaimPosition) = record;
            Memory.WritePadding(_tail, _claimPadding); // publishes the piece at the tail last
        }

        _tail = end;
        ClaimPosition = -1;
        Volatile.Write(ref Header->Tail, _tail);
        Publication.AfterRelease(Header);
        RingWait.WakeIfParked((nint)(&Header->ReaderWake));
    }

    /// <summary>
    /// Writes as many of the source's messages as fit now behind the tail and publishes them all with one release store:
    /// of the header at the old tail, which stays zero (holding back every reader) until the rest is written. Every
    /// record, padding piece and the zeroed header after the last one are plain stores made before it, so a consumer
    /// that acquires it sees the whole batch, and reads no header past it before it does. A message that fails to copy
    /// leaves nothing published (the header at the tail still zero) and the ring as it was.
    /// </summary>
    public override int TryWriteBatch<TSource>(ref TSource source)
    {
        if (ClaimPosition >= 0)
        {
            RingErrors.ThrowClaimOpen();
        }

        long start = _tail;
        long tail = start;
        long held = 0; // the word for the header at start, stored last
        int count = 0;
        for (; count < source.Count; count++)
        {
            int length = source.LengthAt(count);
            Memory.CheckLength(length);
            long padding = Memory.PaddingBefore(tail, length);
            long position = tail + padding;
            long end = position + Memory.Footprint(length);
            if (!HasRoomUpTo(end))
            {
                break;
            }

            source.CopyTo(count, new Span<byte>(Memory.PayloadAt(position), length));
            if (padding != 0)
            {
                long piece = Memory.WritePaddingBehind(tail, padding);
                HoldOrStore(tail, piece, start, ref held);
            }

            HoldOrStore(position, RecordHeader.Word(RecordHeader.TypeMessage, RecordHeader.Size + length), start, ref held);
            tail = end;
        }

        if (count == 0)
        {
            return 0;
        }

        *(long*)Memory.RecordAt(tail) = 0;
        Volatile.Write(ref *(long*)Memory.RecordAt(start), held);
        _tail = tail;
        Volatile.Write(ref Header->Tail, _tail);
        Publication.AfterRelease(Header);
        RingWait.WakeIfParked((nint)(&Header->ReaderWake));
        return count;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void HoldOrStore(long position, long word, long start, ref long held)
    {
        if (position == start)
        {
            held = word;
        }
        else
        {
            *(long*)Memory.RecordAt(position) = word;
        }
    }

    // Abort (the base's): nothing was published (the header at the tail is still zero); the next claim reuses the space.

    public override bool HasSpaceFor(int length) => HasRoomUpTo(_tail + Memory.PaddingBefore(_tail, length) + Memory.Footprint(length));

    /// <summary>Whether the ring is free up to <paramref name="end"/> and the zeroed header that will follow it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool HasRoomUpTo(long end)
    {
        if (end + RecordHeader.Size - _cachedHead <= Capacity)
        {
            return true;
        }

        _cachedHead = ReadHead();
        return end + RecordHeader.Size - _cachedHead <= Capacity;
    }

    public override void ReclaimFromDeadPeers() => PeerLiveness.ThrowIfReaderGone(Memory.Segment, ParticipantTable.SpscReaderRow, _failWhenReaderDies);

    private long ReadHead()
    {
        long head = Volatile.Read(ref Header->Head);
        if (head > _tail || _tail - head > Capacity || !RecordFraming.IsAligned(head))
        {
            throw Memory.Corrupted($"the consumer's head {head} is impossible for producer tail {_tail}");
        }

        return head;
    }
}
