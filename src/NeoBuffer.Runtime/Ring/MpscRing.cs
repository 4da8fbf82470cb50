using System;
using System.Runtime.CompilerServices;
using System.Threading;
using NeoBuffer.Format;
using NeoBuffer.Waiting;

namespace NeoBuffer.Ring;

/// <summary>
/// The multi-producer single-consumer ring protocol (docs/format.md, "MPSC protocol"). One instance per endpoint: each
/// producer (any number of processes and endpoints) uses the producer half, the one consumer the consumer half.
/// <para>
/// Producers claim space by CAS on <see cref="ChannelHeader.ClaimTail"/>, so claims are ordered but commits may finish
/// in any order: each record is committed on its own, by a release store of its positive length (negative while it is
/// being filled). The consumer reads in position order, and waits at a record that is claimed but not committed. Since
/// a record's header may land on bytes of an older record, the consumer zeroes what it consumed before it returns the
/// space by storing <see cref="ChannelHeader.Head"/>: a header a producer has not written yet therefore reads 0.
/// </para>
/// <para>
/// Crash safety: a producer announces each claim (start and end) in its participant row before the CAS, and clears it
/// after the commit; the consumer announces the record it is zeroing before it zeroes it. A claim left by a writer
/// that died becomes padding (<see cref="IRingConsumer.CheckPeers"/>), and a consumer that died mid-zeroing is finished
/// by the next one (<see cref="ForConsumer"/>).
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
/// <para>
/// Completion sets <see cref="ClosedBit"/> in ClaimTail by CAS, so every claim is either before the close (and the
/// consumer reads it before it reports the end) or fails.
/// </para>
/// </summary>
internal sealed unsafe class MpscRing : IRingProducer, IRingConsumer
{
    /// <summary>Set in ClaimTail once the channel is completed; the rest of ClaimTail is the claim position.</summary>
    internal const long ClosedBit = 1L << 62;

    private readonly RingMemory _ring;
    private readonly ChannelHeader* _header;
    private readonly long _capacity;
    private readonly ParticipantSlot* _slot;
    private readonly bool _failWhenReaderDies;

    // Producer half.
    private long _cachedHead;
    private long _claimPosition = -1;
    private int _claimLength;

    // Consumer half.
    private long _head;
    private long _cachedClaimTail;
    private long _leaseEnd = -1;

    private MpscRing(RingMemory ring, ParticipantSlot* slot, bool failWhenReaderDies)
    {
        _ring = ring;
        _header = ring.Header;
        _capacity = ring.Capacity;
        _slot = slot;
        _failWhenReaderDies = failWhenReaderDies;
    }

    /// <summary>A producer's half; <paramref name="slot"/> is its row, where it announces its claims.</summary>
    public static MpscRing ForProducer(RingMemory ring, ParticipantSlot* slot, bool failWhenReaderDies)
    {
        var producer = new MpscRing(ring, slot, failWhenReaderDies);
        slot->Position = -1;
        producer._cachedHead = producer.ReadHead();
        return producer;
    }

    /// <summary>
    /// The consumer's half. A consumer that died between zeroing a record and publishing Head left that record
    /// announced in the row: it is finished here, or the record would read as "claimed, never committed" forever.
    /// </summary>
    public static MpscRing ForConsumer(RingMemory ring, ParticipantSlot* slot)
    {
        var consumer = new MpscRing(ring, slot, failWhenReaderDies: false);
        ChannelHeader* header = ring.Header;

        // Head first: both only grow and Head never passes ClaimTail, so this order can only see Head <= ClaimTail.
        long head = Volatile.Read(ref header->Head);
        long claimTail = Volatile.Read(ref header->ClaimTail) & ~ClosedBit;
        if (head < 0 || head > claimTail || (head & 7) != 0 || (claimTail & 7) != 0)
        {
            throw ring.Corrupted($"head {head} and claim tail {claimTail} are inconsistent");
        }

        consumer._head = head;
        consumer._cachedClaimTail = claimTail;
        long consuming = Volatile.Read(ref slot->Position);
        long end = Volatile.Read(ref slot->ClaimEnd);
        if (consuming == head && end > head)
        {
            // Checked as any record is before it is zeroed: within the claims, short of the ring's end (nothing is
            // consumed across it), at most one record long.
            if (end > claimTail || (end & 7) != 0 || end - head > ring.Capacity - (head & ring.Mask) || end - head > ring.LongestRecord)
            {
                throw ring.Corrupted($"the reader's row announces zeroing [{head}, {end}), which no record covers (claim tail {claimTail})");
            }

            consumer.Consume(end);
        }

        slot->Position = -1;
        return consumer;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Producer: claim (CAS) -> fill -> commit (release store of the header) or abort (turn it into padding)
    // ------------------------------------------------------------------------------------------------------------

    nint IRingProducer.WakeWord => (nint)(&_header->WriterWake);

    public byte* TryClaim(int length)
    {
        if (_claimPosition >= 0)
        {
            RingErrors.ThrowClaimOpen();
        }

        _ring.CheckLength(length);
        long footprint = _ring.Footprint(length);
        long tail = Volatile.Read(ref _header->ClaimTail);
        long padding;
        while (true)
        {
            if ((tail & ClosedBit) != 0)
            {
                Volatile.Write(ref _slot->Position, -1);
                return null; // completed: the writer reports it
            }

            if (tail < 0 || (tail & 7) != 0)
            {
                throw _ring.Corrupted($"the claim tail {tail} is impossible");
            }

            padding = _ring.PaddingBefore(tail, length);
            long end = tail + padding + footprint;
            if (end - _cachedHead > _capacity)
            {
                _cachedHead = ReadHead();
                if (end - _cachedHead > _capacity)
                {
                    if (_cachedHead <= tail)
                    {
                        Volatile.Write(ref _slot->Position, -1);
                        return null;
                    }

                    // Our tail is older than the head we just read: others claimed and were consumed meanwhile.
                    tail = Volatile.Read(ref _header->ClaimTail);
                    continue;
                }
            }

            // Announced before the CAS, so a claim is never made that a crash could leave unannounced.
            _slot->ClaimEnd = end;
            Volatile.Write(ref _slot->Position, tail);
            ProtocolPoint.Reached(ProtocolPoint.MpscAnnounced);
            long seen = Interlocked.CompareExchange(ref _header->ClaimTail, end, tail);
            if (seen == tail)
            {
                ProtocolPoint.Reached(ProtocolPoint.MpscClaimed);
                break;
            }

            tail = seen;
        }

        // Padding is committed at once; the record is marked "being filled" until Commit.
        _ring.WritePadding(tail, padding);
        _claimPosition = tail + padding;
        _claimLength = length;
        // One 8-byte store, not Type then Length: on arm64 another core may see two stores in either order, and a
        // reader that caught only the negative length (type 0) would take a dead writer's header for corruption.
        // Composed in a register (Length the low half, Type the high: little-endian, as every supported target is), not
        // through a RecordHeader local, which the JIT spills as two 4-byte stores and reloads as 8 bytes (a
        // store-forwarding stall on x86-64).
        long filling = (uint)-(RecordHeader.Size + length) | ((long)RecordHeader.TypeMessage << 32);
        *(long*)_ring.RecordAt(_claimPosition) = filling;
        ProtocolPoint.Reached(ProtocolPoint.MpscFilling);
        return _ring.PayloadAt(_claimPosition);
    }

    public void Commit() => Publish(RecordHeader.TypeMessage, RecordHeader.Size + _claimLength);

    public void Abort()
    {
        if (_claimPosition >= 0)
        {
            // Claimed space cannot be given back (others may have claimed after it): it becomes padding.
            Publish(RecordHeader.TypePadding, (int)_ring.Footprint(_claimLength));
        }
    }

    private void Publish(int type, int length)
    {
        RingMemory.PublishRecord(_ring.RecordAt(_claimPosition), type, length);
        _claimPosition = -1;
        Volatile.Write(ref _slot->Position, -1);
        Publication.AfterRelease(_header); // orders the commit before the wake-word load (see Publication)
        RingWait.WakeIfParked((nint)(&_header->ReaderWake));
    }

    public bool HasSpaceFor(int length)
    {
        long head = ReadHead();
        long tail = Volatile.Read(ref _header->ClaimTail);
        if ((tail & ClosedBit) != 0)
        {
            return true; // nothing to wait for: the claim will report the completion
        }

        _cachedHead = head;
        return tail + _ring.PaddingBefore(tail, length) + _ring.Footprint(length) - head <= _capacity;
    }

    void IRingProducer.CheckPeers() => PeerLiveness.ThrowIfReaderGone(_ring.Segment, ConsumerRow, _failWhenReaderDies);

    private const int ConsumerRow = 0;

    public void Close()
    {
        long tail = Volatile.Read(ref _header->ClaimTail);
        while ((tail & ClosedBit) == 0)
        {
            long seen = Interlocked.CompareExchange(ref _header->ClaimTail, tail | ClosedBit, tail);
            if (seen == tail)
            {
                return;
            }

            tail = seen;
        }
    }

    /// <summary>
    /// The consumer's head, checked against a claim tail read after it: Head never passes ClaimTail and both only grow,
    /// so a head beyond a later claim tail can only be corruption.
    /// </summary>
    private long ReadHead()
    {
        long head = Volatile.Read(ref _header->Head);
        long tail = Volatile.Read(ref _header->ClaimTail) & ~ClosedBit;
        if (head < 0 || head > tail || (head & 7) != 0)
        {
            throw _ring.Corrupted($"the consumer's head {head} is impossible for claim tail {tail}");
        }

        return head;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Consumer: lease the record at the head once committed -> read it -> zero it and release
    // ------------------------------------------------------------------------------------------------------------

    nint IRingConsumer.WakeWord => (nint)(&_header->ReaderWake);

    public bool HasOpenLease => _leaseEnd >= 0;

    long IRingConsumer.Position => _head;

    public bool TryBeginRead(out byte* payload, out int length)
    {
        if (_leaseEnd >= 0)
        {
            RingErrors.ThrowLeaseOpen();
        }

        if (!TryFindNext(out long footprint, out length))
        {
            payload = null;
            return false;
        }

        _leaseEnd = _head + footprint;
        payload = _ring.PayloadAt(_head);
        return true;
    }

    public void EndRead()
    {
        long end = _leaseEnd;
        _leaseEnd = -1;
        Consume(end);
    }

    public void AbandonRead() => _leaseEnd = -1;

    public bool HasMessage() => TryFindNext(out _, out _);

    /// <summary>
    /// Stuck at a record that is claimed but not committed: a claim over the head whose every announcer is dead becomes
    /// padding, published by a CAS on the header the decision was made on. Dead writers' rows are freed once nothing
    /// they announced can matter. The class comment says why each step is safe.
    /// </summary>
    void IRingConsumer.CheckPeers()
    {
        Segments.SharedSegment segment = _ring.Segment;
        long* at = (long*)_ring.RecordAt(_head);

        // The header, then ClaimTail: a header is written after its claim's CAS, so whatever header is seen here lies
        // inside the ClaimTail read after it.
        long seen = Volatile.Read(ref *at);
        _cachedClaimTail = ReadClaimTail();
        bool stuck = Unsafe.As<long, RecordHeader>(ref seen).Length <= 0 && _head < _cachedClaimTail;
        long nearestEnd = long.MaxValue;
        for (int row = 1; row < segment.Geometry.ParticipantSlots; row++)
        {
            ParticipantSlot* slot = segment.Slot(row);
            if (Volatile.Read(ref slot->Position) < 0)
            {
                continue;
            }

            if (!ParticipantRole.IsHolderDead(segment, row))
            {
                // A live writer announcing a claim over the head is filling it, or is about to learn that its CAS
                // failed and announce again: wait either way.
                if (stuck && Covers(Volatile.Read(ref slot->Position), Volatile.Read(ref slot->ClaimEnd)))
                {
                    return;
                }

                continue;
            }

            if (!ParticipantRole.TryLockDead(segment, row))
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
                long position = Volatile.Read(ref slot->Position);
                long end = Volatile.Read(ref slot->ClaimEnd);
                _cachedClaimTail = ReadClaimTail();
                if (position >= 0 && IsSpentAnnouncement(position, end, _head, _cachedClaimTail))
                {
                    ParticipantRole.FreeLocked(segment, row); // an announcement behind the head, or a claim that never happened
                }
                else if (position >= 0 && stuck && Covers(position, end))
                {
                    nearestEnd = Math.Min(nearestEnd, end);
                }
            }
            finally
            {
                ParticipantRole.UnlockDead(segment, row);
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
    /// Turns the dead claim at the head into padding: exactly its record when the dead writer wrote its header (the
    /// negative length is the extent), else up to the nearest end announced over the head (the real claimer's row is
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
            header.Length = -header.Length; // int.MinValue stays negative, and is refused as too short
            extent = _ring.CheckRecord(_head, header, _cachedClaimTail, out bool isPadding);
            if (isPadding)
            {
                throw _ring.Corrupted($"the padding at position {_head} is marked as being filled, which no writer does");
            }
        }
        else
        {
            if ((nearestEnd & 7) != 0 || nearestEnd > _cachedClaimTail)
            {
                if (Volatile.Read(ref *at) != seen)
                {
                    return; // the claim was committed meanwhile, and only stale announcements are left: read it
                }

                throw _ring.Corrupted($"dead writers announce claims over position {_head} up to {nearestEnd}, impossible for claim tail {_cachedClaimTail}");
            }

            extent = Math.Min(nearestEnd - _head, Math.Min(_capacity - (_head & _ring.Mask), _ring.LongestRecord));
        }

        ProtocolPoint.Reached(ProtocolPoint.MpscPadding);
        var padding = new RecordHeader { Length = (int)extent, Type = RecordHeader.TypePadding }; // extent <= LongestRecord
        Interlocked.CompareExchange(ref *at, Unsafe.As<RecordHeader, long>(ref padding), seen);
    }

    public bool IsDrained() => !HasMessage() && _head == (Volatile.Read(ref _header->ClaimTail) & ~ClosedBit);

    private bool TryFindNext(out long footprint, out int length)
    {
        while (true)
        {
            // The acquire load of a positive length is what makes the producer's payload visible.
            RecordHeader* at = _ring.RecordAt(_head);
            int committedLength = Volatile.Read(ref at->Length);
            if (committedLength <= 0)
            {
                footprint = 0;
                length = 0;
                return false;
            }

            var record = new RecordHeader { Length = committedLength, Type = at->Type };
            if (_head + RecordFraming.Align8(committedLength) > _cachedClaimTail)
            {
                _cachedClaimTail = ReadClaimTail();
            }

            footprint = _ring.CheckRecord(_head, record, _cachedClaimTail, out bool isPadding);
            if (isPadding)
            {
                if (footprint > _ring.LongestRecord)
                {
                    throw _ring.Corrupted($"the padding at position {_head} is {footprint} bytes long, longer than any record");
                }

                Consume(_head + footprint);
                continue;
            }

            length = record.Length - RecordHeader.Size;
            return true;
        }
    }

    private void Consume(long end)
    {
        // Announced, so a successor can finish the zeroing should this process die in the middle of it.
        _slot->ClaimEnd = end;
        Volatile.Write(ref _slot->Position, _head);
        new Span<byte>(_ring.RecordAt(_head), (int)(end - _head)).Clear(); // every caller checked end - head <= LongestRecord
        ProtocolPoint.Reached(ProtocolPoint.MpscZeroing);
        _head = end;
        Publication.Publish(_header, ref _header->Head, _head); // release: the zeroes are visible before the space is reused
        Volatile.Write(ref _slot->Position, -1);
        RingWait.WakeIfParked((nint)(&_header->WriterWake));
    }

    private long ReadClaimTail()
    {
        long tail = Volatile.Read(ref _header->ClaimTail) & ~ClosedBit;
        if (tail < _head || tail - _head > _capacity || (tail & 7) != 0)
        {
            throw _ring.Corrupted($"the claim tail {tail} is impossible for consumer head {_head}");
        }

        return tail;
    }
}
