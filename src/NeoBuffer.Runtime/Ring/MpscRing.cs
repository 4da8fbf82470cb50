using System;
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
        if (consuming == head && end > head && end <= claimTail && end - head <= ring.Capacity && (end & 7) == 0)
        {
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
        RecordHeader* record = _ring.RecordAt(_claimPosition);
        record->Type = RecordHeader.TypeMessage;
        record->Length = -(RecordHeader.Size + length);
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
    /// Stuck at a record that is claimed but not committed: if every row announcing a claim over it belongs to a dead
    /// writer, the claim becomes padding (up to the nearest announced end: never past the real claim, and a second
    /// pass covers any rest). A live writer's announcement means wait. Dead writers' rows are freed once their
    /// announcements are behind the head.
    /// </summary>
    void IRingConsumer.CheckPeers()
    {
        Segments.SharedSegment segment = _ring.Segment;
        _cachedClaimTail = ReadClaimTail();
        bool stuck = Volatile.Read(ref _ring.RecordAt(_head)->Length) <= 0 && _head < _cachedClaimTail;
        long nearestEnd = long.MaxValue;
        for (int row = 1; row < segment.Geometry.ParticipantSlots; row++)
        {
            ParticipantSlot* slot = segment.Slot(row);
            long position = Volatile.Read(ref slot->Position);
            if (position < 0)
            {
                continue;
            }

            long end = Volatile.Read(ref slot->ClaimEnd);
            bool dead = ParticipantRole.IsHolderDead(segment, row);
            if (stuck && position <= _head && _head < end)
            {
                if (!dead)
                {
                    return; // a live writer is still filling it
                }

                nearestEnd = Math.Min(nearestEnd, end);
            }
            else if (dead && (end <= _head || position >= _cachedClaimTail))
            {
                if (ParticipantRole.TryLockDead(segment, row))
                {
                    try
                    {
                        ParticipantRole.FreeLocked(segment, row); // an announcement behind us, or a claim that never happened
                    }
                    finally
                    {
                        ParticipantRole.UnlockDead(segment, row);
                    }
                }
            }
        }

        if (nearestEnd != long.MaxValue)
        {
            if ((nearestEnd & 7) != 0 || nearestEnd - _head > _capacity || nearestEnd > _cachedClaimTail)
            {
                throw _ring.Corrupted($"a dead writer's claim ends at {nearestEnd}, impossible for head {_head} and claim tail {_cachedClaimTail}");
            }

            ProtocolPoint.Reached(ProtocolPoint.MpscPadding);
            _ring.WritePadding(_head, nearestEnd - _head);
        }
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
        new Span<byte>(_ring.RecordAt(_head), (int)(end - _head)).Clear();
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
