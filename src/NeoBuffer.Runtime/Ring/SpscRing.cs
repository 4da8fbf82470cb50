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
/// Publication: a record is committed by a release store of the 8-byte header at its position, so the consumer,
/// which reads that header anyway, needs no other line: the producer's tail never travels between the cores. For the
/// consumer to tell a committed header from bytes of an older lap, the header at the producer's tail is always zero:
/// before each commit the producer zeroes the header that follows the record (it keeps 8 bytes of slack for it), and
/// it writes the padding and record headers behind the first one before it publishes that one. The consumer returns
/// space by storing <see cref="ChannelHeader.Head"/> after it has finished reading. Each publication is followed by a
/// load of the peer's wake word, ordered after the store by <see cref="Publication"/>: that store-then-load pair,
/// mirrored by the parking side, is what makes a lost wake-up impossible.
/// </para>
/// <para>
/// <see cref="ChannelHeader.Tail"/> is still stored after each commit, for tools and for a producer that attaches
/// later; no reader depends on it. Every position and header read from shared memory is checked against this side's
/// own position and the capacity validated at open before it is used to compute an address.
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
    private long _claimPadding;
    private long _claimEnd;
    private int _claimLength;

    // Consumer half.
    private long _head;
    private long _leaseEnd = -1;

    private SpscRing(RingMemory ring, bool failWhenReaderDies)
    {
        _ring = ring;
        _failWhenReaderDies = failWhenReaderDies;
        _header = ring.Header;
        _capacity = ring.Capacity;
    }

    /// <summary>
    /// A producer's half. It resumes where the previous producer's records end: at Tail, or past it when a producer
    /// died between publishing a record and storing Tail (the consumer may even have read beyond Tail by then).
    /// </summary>
    public static SpscRing ForProducer(RingMemory ring, bool failWhenReaderDies)
    {
        var producer = new SpscRing(ring, failWhenReaderDies);
        long head = Volatile.Read(ref ring.Header->Head);
        long tail = Volatile.Read(ref ring.Header->Tail);
        if (head < 0 || tail < 0 || ((head | tail) & 7) != 0 || tail - head > ring.Capacity - RecordHeader.Size || head - tail > ring.Capacity)
        {
            throw ring.Corrupted($"head {head} and tail {tail} are inconsistent");
        }

        producer._head = head;
        producer._cachedHead = head;
        producer._tail = producer.CommittedEnd(Math.Max(head, tail));
        return producer;
    }

    /// <summary>The consumer's half: it resumes at Head, where the previous consumer stopped.</summary>
    public static SpscRing ForConsumer(RingMemory ring)
    {
        var consumer = new SpscRing(ring, failWhenReaderDies: false);
        long head = Volatile.Read(ref ring.Header->Head);
        if (head < 0 || (head & 7) != 0)
        {
            throw ring.Corrupted($"head {head} is impossible");
        }

        consumer._head = head;
        return consumer;
    }

    /// <summary>Walks committed records from <paramref name="position"/> to the first zero header: the true tail.</summary>
    private long CommittedEnd(long position)
    {
        long limit = _head + _capacity - RecordHeader.Size;
        while (true)
        {
            long word = Volatile.Read(ref *(long*)_ring.RecordAt(position));
            if (word == 0)
            {
                return position;
            }

            position += _ring.CheckRecord(position, Unsafe.As<long, RecordHeader>(ref word), limit, out _);
        }
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
        if (!HasRoomUpTo(end))
        {
            return null;
        }

        _claimPosition = _tail + padding;
        _claimPadding = padding;
        _claimEnd = end;
        _claimLength = length;
        return _ring.PayloadAt(_claimPosition);
    }

    public void Commit()
    {
        // Everything behind the header at the tail first; that header, stored last with release, publishes them all.
        *(long*)_ring.RecordAt(_claimEnd) = 0;
        RecordHeader record = new() { Type = RecordHeader.TypeMessage, Length = RecordHeader.Size + _claimLength };
        if (_claimPadding == 0)
        {
            Volatile.Write(ref *(long*)_ring.RecordAt(_claimPosition), Unsafe.As<RecordHeader, long>(ref record));
        }
        else
        {
            *_ring.RecordAt(_claimPosition) = record;
            _ring.WritePadding(_tail, _claimPadding); // publishes the piece at the tail last
        }

        _tail = _claimEnd;
        _claimPosition = -1;
        Volatile.Write(ref _header->Tail, _tail);
        Publication.AfterRelease(_header);
        RingWait.WakeIfParked((nint)(&_header->ReaderWake));
    }

    // Nothing was published (the header at the tail is still zero); the next claim reuses the space.
    public void Abort() => _claimPosition = -1;

    public bool HasSpaceFor(int length) => HasRoomUpTo(_tail + _ring.PaddingBefore(_tail, length) + _ring.Footprint(length));

    /// <summary>Whether the ring is free up to <paramref name="end"/> and the zeroed header that will follow it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool HasRoomUpTo(long end)
    {
        if (end + RecordHeader.Size - _cachedHead <= _capacity)
        {
            return true;
        }

        _cachedHead = ReadHead();
        return end + RecordHeader.Size - _cachedHead <= _capacity;
    }

    void IRingProducer.CheckPeers() => PeerLiveness.ThrowIfReaderGone(_ring.Segment, ReaderRow, _failWhenReaderDies);

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
        long skipped = 0;
        while (true)
        {
            // One acquire load of the whole header: it is the commit, and a hostile peer could change it between two reads.
            long word = Volatile.Read(ref *(long*)_ring.RecordAt(_head));
            if (word == 0)
            {
                footprint = 0;
                length = 0;
                return false;
            }

            RecordHeader record = Unsafe.As<long, RecordHeader>(ref word);
            footprint = _ring.CheckRecord(_head, record, _head + _capacity - RecordHeader.Size, out bool isPadding);
            if (isPadding)
            {
                // A producer pads at most to the end of the ring and then to an alignment: more than a lap of padding
                // in one go is a peer feeding the reader an endless ring.
                skipped += footprint;
                if (skipped > _capacity)
                {
                    throw _ring.Corrupted($"more than a ring's worth of padding follows position {_head - skipped + footprint}");
                }

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
}
