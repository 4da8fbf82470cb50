using System;
using System.Runtime.CompilerServices;
using System.Threading;
using NeoBuffer.Format;
using NeoBuffer.Waiting;

namespace NeoBuffer.Ring;

/// <summary>
/// The consumer's side of the multi-producer single-consumer ring protocol (docs/format.md, "MPSC protocol"): it reads
/// the producers' records (<see cref="MpscProducer"/>) in position order, and waits at a record that is claimed but not
/// committed. Since a record's header may land on bytes of an older record, it zeroes what it consumed before it
/// returns the space by storing <see cref="ChannelHeader.Head"/>: a header a producer has not written yet therefore
/// reads 0.
/// <para>
/// Crash safety: the consumer announces the records it is zeroing (one, or a batch's) in its row before it zeroes them, so one that died
/// mid-zeroing is finished by the next (<see cref="Open"/>); a claim left by a writer that died becomes padding
/// (<see cref="ReclaimFromDeadPeers"/>).
/// </para>
/// <para>
/// Why recovery never hangs the consumer and never overwrites a committed record. The consumer at head H reads the
/// header at H (value <c>seen</c>), then ClaimTail, then the rows. (1) If a claim covers H, its writer's row announces
/// it from before its CAS until after its commit, and the consumer sees that announcement: its ClaimTail load read a
/// value at or past that CAS (RMWs on one word form a release sequence), which the announcement happened before. So
/// a live claimer is always seen, and means wait. (2) A dead row is locked (shared) before it is used: nobody can take
/// it then, so its announcement holds still, and ClaimTail is re-read after the lock, when the dead writer's last CAS,
/// if any, is visible (its process is gone; the kernel's lock release and our fcntl order the rest). An announcement
/// starting at or past that fresh ClaimTail was never claimed, and never will be: its row is freed; one ending at or
/// before H is behind us: freed. Any other is kept, so the real claim at H keeps its row until H has passed it.
/// (3) If every row over H is dead, the header at H is loaded again: its claimers proven dead, their stores are all
/// visible, so only a header still equal to <c>seen</c> is decided on (one loaded before may predate them, on arm64
/// even torn between two older stores); a changed one waits for the next check. H is padded by one CAS on its 8-byte
/// header from <c>seen</c>: if the claimer was
/// alive after all and committed after the header load (its row then read -1), the CAS fails and the record is read
/// as usual. A negative <c>seen</c> is the dead claimer's own header, whose length is the record's exact extent; a
/// zero one means nothing was written at H yet, so the padding runs to the nearest end announced over H (the real
/// claimer's row is among them, so never past its claim; zeroes up to there, since the consumer zeroes what it
/// consumed), cut at the ring's end and at <see cref="RingMemory.LongestRecord"/>; a later check covers the rest.
/// </para>
/// </summary>
internal sealed unsafe class MpscConsumer : RingConsumer
{
    private readonly ParticipantRow* _row;
    private long _head;
    private long _publishedHead; // Head as this side last stored it: [_publishedHead, _head) is read but not yet zeroed

    public override long Position => _head;
    private long _cachedClaimTail;

    private MpscConsumer(RingMemory memory, ParticipantRow* row)
        : base(memory)
    {
        _row = row;
    }

    /// <summary>
    /// Opens the consumer's side. A consumer that died between zeroing a record and publishing Head left that record
    /// announced in the row: it is finished here, or the record would read as "claimed, never committed" forever.
    /// </summary>
    public static MpscConsumer Open(RingMemory memory, ParticipantRow* row)
    {
        var consumer = new MpscConsumer(memory, row);
        ChannelHeader* header = memory.Header;

        // Head first: both only grow and Head never passes ClaimTail, so this order can only see Head <= ClaimTail.
        long head = Volatile.Read(ref header->Head);
        long claimTail = MpscClaimTail.PositionOf(Volatile.Read(ref header->ClaimTail));
        if (!RecordFraming.IsAligned(claimTail) || !RecordFraming.IsBoundaryWithin(head, 0, claimTail))
        {
            throw memory.Corrupted($"head {head} and claim tail {claimTail} are inconsistent");
        }

        consumer._head = head;
        consumer._publishedHead = head;
        consumer._cachedClaimTail = claimTail;
        long consuming = Volatile.Read(ref row->Position);
        long end = Volatile.Read(ref row->ClaimEnd);
        if (consuming == head && end > head)
        {
            // Checked as any consumed stretch is before it is zeroed: a record boundary within the claims, and no longer
            // than a consumer ever leaves unpublished (one record, or a batch's records, which may run across the
            // ring's end: less than a publication step and one record).
            if (!RecordFraming.IsBoundaryWithin(end, head, claimTail) || end - head >= PublishStep(memory.Capacity) + memory.LongestRecord)
            {
                throw memory.Corrupted($"the reader's row announces zeroing [{head}, {end}), which no record covers (claim tail {claimTail})");
            }

            consumer.ConsumeUpTo(end);
        }

        row->Position = -1;
        return consumer;
    }

    // lease the record at the head once committed -> read it -> zero it and release

    /// <summary>
    /// Stuck at a record that is claimed but not committed: a claim over the head whose every announcer is dead becomes
    /// padding, published by a CAS on the header the decision was made on. Dead writers' rows are freed once nothing
    /// they announced can matter. The class comment says why each step is safe.
    /// </summary>
    public override void ReclaimFromDeadPeers()
    {
        Segments.SharedSegment segment = Memory.Segment;
        MpscUnrecordedCompletion.FaultIfCloserGone(segment); // a closer that died between closing the claims and completing
        long* at = (long*)Memory.RecordAt(_head);

        // The header, then ClaimTail: a header is written after its claim's CAS, so whatever header is seen here lies
        // inside the ClaimTail read after it.
        long seen = Volatile.Read(ref *at);
        _cachedClaimTail = ReadClaimTail();
        bool stuck = Unsafe.As<long, RecordHeader>(ref seen).Length <= 0 && _head < _cachedClaimTail;
        long nearestEnd = long.MaxValue;
        for (int index = ParticipantTable.MpscFirstWriterRow; index < segment.Geometry.ParticipantRows; index++)
        {
            ParticipantRow* row = segment.Row(index);
            if (Volatile.Read(ref row->Position) < 0)
            {
                continue;
            }

            if (!ParticipantRole.IsHolderDead(segment, index))
            {
                // A live writer announcing a claim over the head is filling it, or is about to learn that its CAS
                // failed and announce again: wait either way.
                if (stuck && Covers(Volatile.Read(ref row->Position), Volatile.Read(ref row->ClaimEnd)))
                {
                    return;
                }

                continue;
            }

            if (!ParticipantRole.TryLockDead(segment, index))
            {
                if (stuck)
                {
                    return; // someone took the row since it was found dead: look again on the next check
                }

                continue;
            }

            try
            {
                // Locked, its holder dead: the row holds still, and the holder's last CAS, if it made one, is in the
                // ClaimTail read now. Decide on these values only: a ClaimTail read before the row was proven dead can
                // predate that CAS, and would turn a real claim into "never happened".
                long position = Volatile.Read(ref row->Position);
                long end = Volatile.Read(ref row->ClaimEnd);
                _cachedClaimTail = ReadClaimTail();
                if (position >= 0 && IsSpentAnnouncement(position, end, _head, _cachedClaimTail) && !MpscUnrecordedCompletion.IsOwed(segment, row))
                {
                    // An announcement behind the head, or a claim that never happened. A closer's row stays while its
                    // outcome is owed: freeing clears its closing mode, and the fault could no longer name it.
                    ParticipantRole.FreeLocked(segment, index);
                }
                else if (position >= 0 && stuck && Covers(position, end))
                {
                    nearestEnd = Math.Min(nearestEnd, end);
                }
            }
            finally
            {
                ParticipantRole.UnlockDead(segment, index);
            }
        }

        if (nearestEnd != long.MaxValue)
        {
            PadDeadClaim(at, seen, nearestEnd);
        }
    }

    /// <summary>
    /// Whether a dead writer's announcement [<paramref name="position"/>, <paramref name="end"/>) no longer matters: it
    /// ends at or before the consumer's head (committed and consumed), or starts at or past a claim tail read once the
    /// row was locked (its CAS never happened). The consumer frees such rows, and a new writer may take them.
    /// </summary>
    internal static bool IsSpentAnnouncement(long position, long end, long head, long claimTail) => end <= head || position >= claimTail;

    private bool Covers(long position, long end) => position <= _head && _head < end;

    /// <summary>
    /// Turns the dead claim at the head into padding: exactly its extent when the dead writer wrote its first header (the
    /// negative length names it: one record, or a whole batch), else up to the nearest end announced over the head (the real claimer's row is
    /// among those, so never past its claim), the ring's end, and one record's length; the next check covers the rest.
    /// </summary>
    private void PadDeadClaim(long* at, long seen, long nearestEnd)
    {
        // Every row over the head is proven dead by now (locked), and a dead writer's stores are all visible (its
        // process is gone; the kernel's lock release and our fcntl order them), so the header read now is final. The
        // one read before the rows may be older: torn by a writer's earlier header stores, or from before its header
        // at all. Decide on a header only when it is still the one seen; otherwise the next check starts over with it.
        if (Volatile.Read(ref *at) != seen)
        {
            return;
        }

        RecordHeader header = Unsafe.As<long, RecordHeader>(ref seen);
        long extent;
        if (header.Length < 0)
        {
            // The claim's whole extent: one record's footprint, or a batch's stretch, whose later records may be
            // committed already and go with the first, so that a batch is lost whole. It is the dead writer's claim,
            // so it lies within the claims and, as every claim, before the ring's end.
            extent = RecordFraming.Align8(-(long)header.Length);
            if (header.Type != RecordHeader.TypeMessage)
            {
                throw Memory.Corrupted($"the record at position {_head} is marked as being filled with type {header.Type}, which no writer does");
            }

            if (!RecordFraming.IsBoundaryWithin(_head + extent, _head, _cachedClaimTail) || (_head & Memory.Mask) + extent > Capacity)
            {
                throw Memory.Corrupted($"the claim being filled at position {_head} names {extent} bytes, past the claim tail {_cachedClaimTail} or the ring's end");
            }
        }
        else
        {
            if (!RecordFraming.IsBoundaryWithin(nearestEnd, long.MinValue, _cachedClaimTail))
            {
                if (Volatile.Read(ref *at) != seen)
                {
                    return; // the claim was committed meanwhile, and only stale announcements are left: read it
                }

                throw Memory.Corrupted($"dead writers announce claims over position {_head} up to {nearestEnd}, impossible for claim tail {_cachedClaimTail}");
            }

            extent = Math.Min(nearestEnd - _head, Math.Min(Capacity - (_head & Memory.Mask), Memory.LongestRecord));
        }

        // In pieces no longer than any record (the consumer refuses longer padding): the later ones plainly, inside the
        // dead claim where nobody else writes, then the first by CAS, whose release makes the others visible before
        // the consumer can move past it.
        long first = Math.Min(extent, Memory.LongestRecord);
        for (long piece = _head + first; piece < _head + extent; piece += Memory.LongestRecord)
        {
            *(long*)Memory.RecordAt(piece) = RecordHeader.Word(RecordHeader.TypePadding, (int)Math.Min(_head + extent - piece, Memory.LongestRecord));
        }

        ProtocolPoint.Reached(ProtocolPoint.MpscPadding);
        Interlocked.CompareExchange(ref *at, RecordHeader.Word(RecordHeader.TypePadding, (int)first), seen);
    }

    public override bool IsDrained() => !HasMessage() && _head == MpscClaimTail.PositionOf(Volatile.Read(ref Header->ClaimTail));

    protected override bool TryFindNext(out long position, out long footprint, out int length)
    {
        while (true)
        {
            // The acquire load of a positive length is what makes the producer's payload visible.
            RecordHeader* at = Memory.RecordAt(_head);
            int committedLength = Volatile.Read(ref at->Length);
            if (committedLength <= 0)
            {
                position = 0;
                footprint = 0;
                length = 0;
                return false;
            }

            var record = new RecordHeader { Length = committedLength, Type = at->Type };
            if (_head + RecordFraming.Align8(committedLength) > _cachedClaimTail)
            {
                _cachedClaimTail = ReadClaimTail();
            }

            footprint = Memory.CheckRecord(_head, record, _cachedClaimTail, out bool isPadding);
            if (isPadding)
            {
                if (footprint > Memory.LongestRecord)
                {
                    throw Memory.Corrupted($"the padding at position {_head} is {footprint} bytes long, longer than any record");
                }

                ConsumeUpTo(_head + footprint);
                continue;
            }

            position = _head;
            length = record.Length - RecordHeader.Size;
            return true;
        }
    }

    protected override void Advance(long end) => _head = end;

    protected override void PublishConsumed()
    {
        // The stretch read since the last publication (one record, or a batch's records) is announced before it is
        // zeroed, so a successor can finish the zeroing should this process die in the middle of it: the row names the
        // published Head, which is where a successor resumes, and the end of what was read.
        _row->ClaimEnd = _head;
        Volatile.Write(ref _row->Position, _publishedHead);
        Memory.Clear(_publishedHead, _head); // every caller moved _head by checked records, at most a ring past Head
        ProtocolPoint.Reached(ProtocolPoint.MpscZeroing);
        _publishedHead = _head;
        Publication.Publish(Header, ref Header->Head, _head); // release: the zeroes are visible before the space is reused
        Volatile.Write(ref _row->Position, -1);
        RingWait.WakeIfParked((nint)(&Header->WriterWake));
    }

    private long ReadClaimTail()
    {
        long tail = MpscClaimTail.PositionOf(Volatile.Read(ref Header->ClaimTail));
        if (tail < _head || tail - _head > Capacity || !RecordFraming.IsAligned(tail))
        {
            throw Memory.Corrupted($"the claim tail {tail} is impossible for consumer head {_head}");
        }

        return tail;
    }
}
