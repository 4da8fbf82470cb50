using System;
using System.Threading;
using NeoBuffer.Format;
using NeoBuffer.Waiting;

namespace NeoBuffer.Ring;

/// <summary>
/// The one-producer many-subscriber broadcast protocol (docs/format.md, "Broadcast protocol"). Every subscriber sees
/// every record, reading it in place; nobody copies or consumes anything, so each record is written once whatever the
/// number of subscribers.
/// <para>
/// Publication: plain stores, then a release store of <see cref="ChannelHeader.Tail"/> (a lossy subscriber needs the
/// tail and its sequence together, which one header cannot give). Each record's
/// frame carries its 64-bit sequence number after the header, so a subscriber always knows exactly which record it
/// holds. Before it writes into space that may still hold unread records, the producer announces the end of its claim
/// in <see cref="ChannelHeader.TailIntent"/> with a full fence: bytes below <c>TailIntent - Capacity</c> may be
/// overwritten from then on. A tethered subscriber publishes its position in its participant row and the producer never
/// claims past the slowest live one plus the capacity; a lossy one holds nobody back, and checks TailIntent after
/// reading to learn whether what it read was intact. Lapped, it resumes at <see cref="ChannelHeader.Oldest"/> and
/// counts the records it lost from the sequence numbers.
/// </para>
/// <para>
/// The producer's "announce TailIntent, then load the tethered positions" and a joining tethered subscriber's
/// "publish my position, then load TailIntent" are a store-fence-load pair each: either the producer sees the new
/// subscriber's position, or the subscriber sees the TailIntent that may overwrite it and picks a later start.
/// </para>
/// </summary>
internal sealed unsafe class BroadcastRing : IRingProducer, IRingConsumer
{
    private readonly RingMemory _ring;
    private readonly ChannelHeader* _header;
    private readonly long _capacity;
    private readonly Segments.SharedSegment _segment;

    // Producer half.
    private long _tail;
    private long _sequence;
    private long _oldest;
    private long _cachedLimit;
    private long _announced;
    private long _joinEpoch;
    private long _claimPosition = -1;
    private long _claimEnd;
    private int _claimLength;

    // Subscriber half.
    private readonly ParticipantSlot* _slot;
    private readonly bool _lossy;
    private long _position;
    private long _nextSequence;
    private long _cachedTail;
    private long _leaseEnd = -1;
    private long _lost;
    private bool _leaseCountedLost;

    private BroadcastRing(RingMemory ring, Segments.SharedSegment segment, ParticipantSlot* slot, bool lossy)
    {
        _ring = ring;
        _header = ring.Header;
        _capacity = ring.Capacity;
        _segment = segment;
        _slot = slot;
        _lossy = lossy;
    }

    /// <summary>The producer's half, resuming after the records already published.</summary>
    public static BroadcastRing ForProducer(RingMemory ring, Segments.SharedSegment segment)
    {
        var producer = new BroadcastRing(ring, segment, null, lossy: false);
        producer._tail = Volatile.Read(ref ring.Header->Tail);
        producer._sequence = Volatile.Read(ref ring.Header->TailSequence);
        producer._oldest = Volatile.Read(ref ring.Header->Oldest);
        if (producer._tail < 0 || (producer._tail & 7) != 0 || producer._sequence < 0 || producer._oldest < 0 || (producer._oldest & 7) != 0 ||
            producer._oldest > producer._tail || producer._tail - producer._oldest > ring.Capacity)
        {
            throw ring.Corrupted($"tail {producer._tail}, oldest {producer._oldest} and sequence {producer._sequence} are inconsistent");
        }

        // A producer that died inside its commit left the seqlock odd: close it so joiners are not kept spinning.
        long version = Volatile.Read(ref ring.Header->TailVersion);
        if ((version & 1) != 0)
        {
            Volatile.Write(ref ring.Header->TailVersion, version + 1);
        }

        producer._cachedLimit = long.MinValue;
        producer._announced = Volatile.Read(ref ring.Header->TailIntent);
        return producer;
    }

    /// <summary>A subscriber's half, joined at the live tail or at the oldest record still in the ring.</summary>
    public static BroadcastRing ForSubscriber(RingMemory ring, Segments.SharedSegment segment, ParticipantSlot* slot, bool lossy, bool fromOldest)
    {
        var subscriber = new BroadcastRing(ring, segment, slot, lossy);
        slot->Lost = 0;
        while (true)
        {
            (long start, long sequence) = fromOldest ? subscriber.OldestRecord() : subscriber.ReadTailAndSequence();

            // Publish the start, then the mode (the producer counts a row only once it reads Tethered, and then reads a
            // position at least this one), and bump the epoch (a full fence); then check the producer has not announced a
            // write over the start. If it has, the sequence number read may be torn too: start again further on. A
            // producer that did not see the new row sees the new epoch on its next claim and looks again.
            Volatile.Write(ref slot->Position, start);
            Volatile.Write(ref slot->Mode, lossy ? ParticipantSlot.ModeLossy : ParticipantSlot.ModeTethered);
            Interlocked.Increment(ref ring.Header->JoinEpoch);
            if (start >= Volatile.Read(ref ring.Header->TailIntent) - ring.Capacity)
            {
                subscriber._position = start;
                subscriber._cachedTail = start;
                subscriber._nextSequence = sequence;
                return subscriber;
            }
        }
    }

    /// <summary>The tail and the sequence number of the record that will start there, read consistently.</summary>
    private (long Tail, long Sequence) ReadTailAndSequence()
    {
        // A commit holds the seqlock for a few stores; one that stays odd this long belongs to a producer that died in it.
        var patience = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            long version = Volatile.Read(ref _header->TailVersion);
            long sequence = Volatile.Read(ref _header->TailSequence);
            long tail = Volatile.Read(ref _header->Tail);
            Interlocked.MemoryBarrier();
            if ((version & 1) == 0 && version == Volatile.Read(ref _header->TailVersion))
            {
                if (tail < 0 || (tail & 7) != 0 || sequence < 0)
                {
                    throw _ring.Corrupted($"tail {tail} and sequence {sequence} are impossible");
                }

                return (tail, sequence);
            }

            if (patience.ElapsedMilliseconds > 1000)
            {
                throw _ring.Corrupted("the producer's tail has been mid-update for a second (it died while committing, or the header was overwritten)");
            }

            Thread.SpinWait(1);
        }
    }

    /// <summary>
    /// The first message at or after <see cref="ChannelHeader.Oldest"/>, and its sequence number; or the tail and its
    /// sequence when there is none. The producer may be overwriting these records meanwhile, so whatever looks wrong
    /// is re-read from a fresh Oldest before it is called corruption.
    /// </summary>
    private (long Position, long Sequence) OldestRecord()
    {
        while (true)
        {
            (long tail, long tailSequence) = ReadTailAndSequence();
            long position = Volatile.Read(ref _header->Oldest);
            if (position > tail)
            {
                continue; // the producer wrote more than a ring since the tail was read: read both again
            }

            if (position < tail - _capacity || (position & 7) != 0)
            {
                throw _ring.Corrupted($"the oldest record position {position} is impossible for tail {tail}");
            }

            while (position < tail)
            {
                RecordHeader record = *_ring.RecordAt(position);
                if (!IsIntactFrom(position))
                {
                    break;
                }

                long footprint = _ring.CheckRecord(position, record, tail, out bool isPadding);
                if (isPadding)
                {
                    position += footprint;
                    continue;
                }

                long sequence = *(long*)(_ring.RecordAt(position) + 1);
                if (IsIntactFrom(position))
                {
                    return (position, sequence);
                }

                break;
            }

            if (position == tail)
            {
                return (tail, tailSequence);
            }
        }
    }

    /// <summary>Records this lossy subscriber lost to being lapped, so far.</summary>
    public long Lost => _lost;

    // ------------------------------------------------------------------------------------------------------------
    // Producer: claim (announce the overwrite, respect tethered subscribers) -> fill -> commit (publish the tail)
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
        // The tethered subscribers first (a claim they refuse announces nothing), then Oldest, then the announcement,
        // whose fence orders it before the look at whether anyone joined meanwhile.
        if (end - _capacity > _cachedLimit)
        {
            _cachedLimit = SlowestTethered();
            if (end - _capacity > _cachedLimit)
            {
                return null;
            }
        }

        if (end > _announced)
        {
            ForgetOverwritten(end - _capacity);
            Interlocked.Exchange(ref _header->TailIntent, end);
            _announced = end;
            ProtocolPoint.Reached(ProtocolPoint.BroadcastAnnounced);
        }

        long epoch = Volatile.Read(ref _header->JoinEpoch);
        if (epoch != _joinEpoch)
        {
            _joinEpoch = epoch;
            _cachedLimit = SlowestTethered();
            if (end - _capacity > _cachedLimit)
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
        record->Length = RecordFraming.SequencedFrame + _claimLength;
        *(long*)(record + 1) = _sequence;
        _sequence++;
        _tail = _claimEnd;
        _claimPosition = -1;

        // A seqlock write, so a joining subscriber reads the tail and its sequence number as a pair.
        // Each release store orders the stores before it, which is all a seqlock writer needs.
        long version = _header->TailVersion;
        Volatile.Write(ref _header->TailVersion, version + 1);
        Volatile.Write(ref _header->TailSequence, _sequence);
        ProtocolPoint.Reached(ProtocolPoint.BroadcastSequencePublished);
        Publication.Publish(_header, ref _header->Tail, _tail);
        Volatile.Write(ref _header->TailVersion, version + 2);
        RingWait.WakeIfParked((nint)(&_header->ReaderWake));
    }

    // The tail never moved: subscribers never see it. TailIntent may stay ahead, which only makes lossy readers
    // conservative.
    public void Abort() => _claimPosition = -1;

    public bool HasSpaceFor(int length)
    {
        long end = _tail + _ring.PaddingBefore(_tail, length) + _ring.Footprint(length);
        long epoch = Volatile.Read(ref _header->JoinEpoch);
        if (end - _capacity <= _cachedLimit && epoch == _joinEpoch)
        {
            return true;
        }

        _joinEpoch = epoch;
        _cachedLimit = SlowestTethered();
        return end - _capacity <= _cachedLimit;
    }

    /// <summary>A dead tethered subscriber stops holding the producer back: its row is freed and the limit re-read.</summary>
    void IRingProducer.CheckPeers()
    {
        for (int i = 1; i < _segment.Geometry.ParticipantSlots; i++)
        {
            if (Volatile.Read(ref _segment.Slot(i)->Mode) == ParticipantSlot.ModeTethered && ParticipantRole.IsHolderDead(_segment, i))
            {
                ParticipantRole.TryFreeDead(_segment, i);
                _cachedLimit = long.MinValue;
            }
        }
    }

    /// <summary>
    /// The lowest position a live tethered subscriber still needs (long.MaxValue when there is none, so the producer
    /// is free).
    /// </summary>
    private long SlowestTethered()
    {
        long slowest = long.MaxValue;
        for (int i = 1; i < _segment.Geometry.ParticipantSlots; i++)
        {
            ParticipantSlot* slot = _segment.Slot(i);
            if (Volatile.Read(ref slot->State) == ParticipantSlot.StateActive && Volatile.Read(ref slot->Mode) == ParticipantSlot.ModeTethered)
            {
                long position = Volatile.Read(ref slot->Position);
                if (position > _tail || (position & 7) != 0)
                {
                    throw _ring.Corrupted($"subscriber {i} claims position {position}, beyond the producer's tail {_tail}");
                }

                slowest = Math.Min(slowest, position);
            }
        }

        return slowest;
    }

    /// <summary>Moves <see cref="ChannelHeader.Oldest"/> past the records the coming write will overwrite.</summary>
    private void ForgetOverwritten(long overwrittenBelow)
    {
        // overwrittenBelow is at most the tail (a claim never exceeds the capacity), so this walk ends on a record
        // boundary at or before the tail.
        while (_oldest < overwrittenBelow)
        {
            RecordHeader record = *_ring.RecordAt(_oldest);
            _oldest += _ring.CheckRecord(_oldest, record, _tail, out _);
        }

        Volatile.Write(ref _header->Oldest, _oldest);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Subscriber: lease in place -> read -> (lossy: was it intact?) -> move on
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

        _leaseEnd = _position + footprint;
        _leaseCountedLost = false;
        payload = _ring.PayloadAt(_position);
        return true;
    }

    public void EndRead()
    {
        _position = _leaseEnd;
        _leaseEnd = -1;
        _nextSequence++;
        PublishPosition();
    }

    public void AbandonRead() => _leaseEnd = -1;

    public bool HasMessage() => TryFindNext(out _, out _);

    void IRingConsumer.CheckPeers() => PeerLiveness.FaultIfWriterDead(_segment, 0);

    /// <summary>
    /// Whether the leased record is still intact: the producer has not claimed the space it lies in. A tethered
    /// subscriber's always is (TailIntent may run ahead of a producer its subscribers hold back, so it cannot be asked).
    /// Found torn, the lease counts as lost, once: the reader had a torn message, not a message. (One overwritten only
    /// after the reader checked it was read intact, and is not lost.)
    /// </summary>
    public bool IsLeaseIntact()
    {
        if (!_lossy || IsIntactFrom(_position))
        {
            return true;
        }

        if (!_leaseCountedLost)
        {
            _leaseCountedLost = true;
            AddLost(1);
        }

        return false;
    }

    /// <summary>Whether nothing from <paramref name="position"/> on has been overwritten, as of every read made before this call.</summary>
    private bool IsIntactFrom(long position)
    {
        Interlocked.MemoryBarrier(); // the caller's reads of the record happen before this check
        return Volatile.Read(ref _header->TailIntent) - _capacity <= position;
    }

    private bool TryFindNext(out long footprint, out int length)
    {
        while (true)
        {
            if (_position == _cachedTail)
            {
                _cachedTail = ReadTail();
                if (_position == _cachedTail)
                {
                    footprint = 0;
                    length = 0;
                    return false;
                }
            }

            // A lossy subscriber checks after each read that the producer had not begun overwriting what it read.
            RecordHeader record = *_ring.RecordAt(_position);
            if (_lossy && !IsIntactFrom(_position))
            {
                Resynchronise();
                continue;
            }

            footprint = _ring.CheckRecord(_position, record, _cachedTail, out bool isPadding);
            if (isPadding)
            {
                _position += footprint;
                PublishPosition();
                continue;
            }

            long sequence = *(long*)(_ring.RecordAt(_position) + 1);
            if (_lossy && !IsIntactFrom(_position))
            {
                Resynchronise();
                continue;
            }

            if (sequence != _nextSequence)
            {
                if (!_lossy || sequence < _nextSequence)
                {
                    throw _ring.Corrupted($"the record at position {_position} has sequence {sequence}, expected {_nextSequence}");
                }

                AddLost(sequence - _nextSequence);
                _nextSequence = sequence;
            }

            length = record.Length - RecordFraming.SequencedFrame;
            return true;
        }
    }

    /// <summary>A lossy subscriber was lapped: resume at the oldest record still intact.</summary>
    private void Resynchronise()
    {
        // Oldest is stored before TailIntent, so read in the other order it is at least TailIntent - Capacity; and it
        // is past our position, which TailIntent - Capacity is. Anything else is corruption, not a race.
        long intent = Volatile.Read(ref _header->TailIntent);
        long oldest = Volatile.Read(ref _header->Oldest);
        long tail = Volatile.Read(ref _header->Tail);
        if (oldest < _position || oldest < intent - _capacity || oldest > tail || (oldest & 7) != 0)
        {
            throw _ring.Corrupted($"the oldest record position {oldest} is impossible (subscriber at {_position}, tail {tail})");
        }

        // The sequence numbers count what was skipped: the next record read tells how many (see TryFindNext).
        _position = oldest;
        _cachedTail = tail;
        PublishPosition();
    }

    private void AddLost(long count)
    {
        _lost += count;
        Volatile.Write(ref _slot->Lost, _lost);
    }

    private void PublishPosition()
    {
        if (_lossy)
        {
            // Nobody waits on a lossy subscriber: its position is for tools only.
            Volatile.Write(ref _slot->Position, _position);
            return;
        }

        Publication.Publish(_header, ref _slot->Position, _position);
        RingWait.WakeIfParked((nint)(&_header->WriterWake));
    }

    private long ReadTail()
    {
        long tail = Volatile.Read(ref _header->Tail);
        if (tail < _position || (!_lossy && tail - _position > _capacity) || (tail & 7) != 0)
        {
            if (_lossy && tail >= _position)
            {
                return tail; // lapped: TryFindNext notices and resynchronises
            }

            throw _ring.Corrupted($"the producer's tail {tail} is impossible for subscriber position {_position}");
        }

        return tail;
    }
}
