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
/// Completion sets <see cref="ClosedBit"/> in ClaimTail by CAS, so every claim is either before the close (and the
/// consumer reads it before it reports the end) or fails.
/// </para>
/// </summary>
internal sealed unsafe class MpscRing : IRingProducer, IRingConsumer
{
    private const long ClosedBit = 1L << 62;

    private readonly RingMemory _ring;
    private readonly ChannelHeader* _header;
    private readonly long _capacity;
    private readonly ParticipantSlot* _slot;

    // Producer half.
    private long _cachedHead;
    private long _claimPosition = -1;
    private int _claimLength;

    // Consumer half.
    private long _head;
    private long _cachedClaimTail;
    private long _leaseEnd = -1;

    /// <param name="ring">The ring.</param>
    /// <param name="slot">This endpoint's participant row: a producer notes its open claim there, for crash recovery.</param>
    public MpscRing(RingMemory ring, ParticipantSlot* slot)
    {
        _ring = ring;
        _header = ring.Header;
        _capacity = ring.Capacity;
        _slot = slot;
        // Head first: both only grow and Head never passes ClaimTail, so this order can only see Head <= ClaimTail.
        _head = Volatile.Read(ref _header->Head);
        long claimTail = Volatile.Read(ref _header->ClaimTail) & ~ClosedBit;
        if (_head < 0 || _head > claimTail || (_head & 7) != 0 || (claimTail & 7) != 0)
        {
            throw ring.Corrupted($"head {_head} and claim tail {claimTail} are inconsistent");
        }

        _cachedHead = _head;
        _cachedClaimTail = claimTail;
        _slot->Position = -1;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Producer: claim (CAS) -> fill -> commit (release store of the length) or abort (turn it into padding)
    // ------------------------------------------------------------------------------------------------------------

    nint IRingProducer.WakeWord => (nint)(&_header->WriterWake);

    public bool HasOpenClaim => _claimPosition >= 0;

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
                        return null;
                    }

                    // Our tail is older than the head we just read: others claimed and were consumed meanwhile.
                    tail = Volatile.Read(ref _header->ClaimTail);
                    continue;
                }
            }

            long seen = Interlocked.CompareExchange(ref _header->ClaimTail, end, tail);
            if (seen == tail)
            {
                break;
            }

            tail = seen;
        }

        // Padding is committed at once; the record is marked "being filled" until Commit.
        _ring.WritePadding(tail, padding);
        _claimPosition = tail + padding;
        _claimLength = length;
        Volatile.Write(ref _slot->Position, _claimPosition);
        RecordHeader* record = _ring.RecordAt(_claimPosition);
        record->Type = RecordHeader.TypeMessage;
        record->Length = -(RecordHeader.Size + length);
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
        Interlocked.MemoryBarrier(); // orders the commit before the wake-word load (see RingWait)
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
        new Span<byte>(_ring.RecordAt(_head), (int)(end - _head)).Clear();
        _head = end;
        Interlocked.Exchange(ref _header->Head, _head); // release: the zeroes are visible before the space is reused
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
