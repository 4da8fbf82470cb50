using System;
using System.Runtime.CompilerServices;
using System.Threading;
using NeoBuffer.Format;
using NeoBuffer.Waiting;

namespace NeoBuffer.Ring;

/// <summary>
/// The single-producer single-consumer ring protocol (docs/format.md, "SPSC protocol"). One instance per endpoint:
/// a writer uses the producer half, a reader the consumer half. Neither half is thread-safe; each side has one owner.
/// <para>
/// Publication: the producer writes padding, record header and payload with plain stores, then publishes them all at
/// once by storing <see cref="ChannelHeader.Tail"/> with release semantics; the consumer's acquire load of the tail
/// makes every byte before it visible. Symmetrically the consumer returns space by storing
/// <see cref="ChannelHeader.Head"/> after it has finished reading. Each publication is followed by a load of the
/// peer's wake word, ordered after the store by <see cref="Publication"/> (a global barrier on the parking side, or a
/// fence here): that store-then-load pair, mirrored by the parking side, is what makes a lost wake-up impossible.
/// </para>
/// <para>
/// Every position read from shared memory is checked against this side's own position and the capacity validated at
/// open before it is used to compute an address.
/// </para>
/// </summary>
internal sealed unsafe class SpscRing : IRingProducer, IRingConsumer
{
    private readonly RingMemory _ring;
    private readonly ChannelHeader* _header;
    private readonly long _capacity;
    private readonly bool _failWhenReaderDies;

    // Producer half.
    private long _tail;
    private long _cachedHead;
    private long _claimPosition = -1;
    private long _claimEnd;
    private int _claimLength;

    // Consumer half.
    private long _head;
    private long _cachedTail;
    private long _leaseEnd = -1;

    public SpscRing(RingMemory ring, bool failWhenReaderDies)
    {
        _ring = ring;
        _failWhenReaderDies = failWhenReaderDies;
        _header = ring.Header;
        _capacity = ring.Capacity;

        // A producer or consumer that attaches to a live channel resumes where the previous one of its role stopped.
        _head = Volatile.Read(ref _header->Head);
        _tail = Volatile.Read(ref _header->Tail);
        if (_head < 0 || _head > _tail || _tail - _head > _capacity || (_head & 7) != 0 || (_tail & 7) != 0)
        {
            throw ring.Corrupted($"head {_head} and tail {_tail} are inconsistent");
        }

        _cachedHead = _head;
        _cachedTail = _tail;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Producer: claim -> fill -> commit (or abort)
    // ------------------------------------------------------------------------------------------------------------

    nint IRingProducer.WakeWord => (nint)(&_header->WriterWake);

    public byte* TryClaim(int length)
    {
        if (_claimPosition >= 0)
        {
            RingErrors.ThrowClaimOpen();
        }

        _ring.CheckLength(length);
        long padding = _ring.PaddingBefore(_tail, length);
        long end = _tail + padding + _ring.Footprint(length);
        if (end - _cachedHead > _capacity)
        {
            _cachedHead = ReadHead();
            if (end - _cachedHead > _capacity)
            {
                return null;
            }
        }

        _ring.WritePadding(_tail, padding);
        _claimPosition = _tail + padding;
        _claimEnd = end;
        _claimLength = length;
        return _ring.PayloadAt(_claimPosition);
    }

    public void Commit()
    {
        RecordHeader* record = _ring.RecordAt(_claimPosition);
        record->Type = RecordHeader.TypeMessage;
        record->Length = RecordHeader.Size + _claimLength;
        _tail = _claimEnd;
        _claimPosition = -1;
        Publication.Publish(_header, ref _header->Tail, _tail);
        RingWait.WakeIfParked((nint)(&_header->ReaderWake));
    }

    // The tail never moved, so the consumer never sees the claim; the next claim reuses the space.
    public void Abort() => _claimPosition = -1;

    public bool HasSpaceFor(int length)
    {
        long end = _tail + _ring.PaddingBefore(_tail, length) + _ring.Footprint(length);
        if (end - _cachedHead <= _capacity)
        {
            return true;
        }

        _cachedHead = ReadHead();
        return end - _cachedHead <= _capacity;
    }

    void IRingProducer.CheckPeers() => PeerLiveness.ThrowIfReaderDead(_ring.Segment, ReaderRow, _failWhenReaderDies);

    private const int WriterRow = 0;
    private const int ReaderRow = 1;

    private long ReadHead()
    {
        long head = Volatile.Read(ref _header->Head);
        if (head > _tail || _tail - head > _capacity || (head & 7) != 0)
        {
            throw _ring.Corrupted($"the consumer's head {head} is impossible for producer tail {_tail}");
        }

        return head;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Consumer: lease a record in place -> read it -> release
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
        _head = _leaseEnd;
        _leaseEnd = -1;
        PublishHead();
    }

    public void AbandonRead() => _leaseEnd = -1;

    public bool HasMessage() => TryFindNext(out _, out _);

    void IRingConsumer.CheckPeers() => PeerLiveness.FaultIfWriterDead(_ring.Segment, WriterRow);

    /// <summary>Skips padding up to the next committed message and checks its header.</summary>
    private bool TryFindNext(out long footprint, out int length)
    {
        while (true)
        {
            if (_head == _cachedTail)
            {
                _cachedTail = ReadTail();
                if (_head == _cachedTail)
                {
                    footprint = 0;
                    length = 0;
                    return false;
                }
            }

            // One copy of the header: a hostile peer could change it between two reads.
            RecordHeader record = *_ring.RecordAt(_head);
            footprint = _ring.CheckRecord(_head, record, _cachedTail, out bool isPadding);
            if (isPadding)
            {
                // Published at once, so a writer waiting for exactly this space is not stranded.
                _head += footprint;
                PublishHead();
                continue;
            }

            length = record.Length - RecordHeader.Size;
            return true;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void PublishHead()
    {
        Publication.Publish(_header, ref _header->Head, _head);
        RingWait.WakeIfParked((nint)(&_header->WriterWake));
    }

    private long ReadTail()
    {
        long tail = Volatile.Read(ref _header->Tail);
        if (tail < _head || tail - _head > _capacity || (tail & 7) != 0)
        {
            throw _ring.Corrupted($"the producer's tail {tail} is impossible for consumer head {_head}");
        }

        return tail;
    }
}
