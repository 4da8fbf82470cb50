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
    /// <summary>The Position <see cref="ParticipantRole.Release"/> leaves in a row it gives back.</summary>
    private const long ReleasedPosition = -1;

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
    private long _version; // the seqlock's value, kept here: a peer that writes the shared word cannot keep it odd
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
        CheckTailState(ring, producer._tail, producer._oldest, producer._sequence);

        // A producer that died inside its commit left the seqlock odd, and maybe TailSequence counting the record it
        // was publishing while Tail still points before it: the next record at Tail would then carry a sequence one
        // too high, and every tethered subscriber would call it corruption. The records say which it was; the pair is
        // made consistent, then the seqlock closed so joiners are not kept spinning.
        long version = Volatile.Read(ref ring.Header->TailVersion);
        if ((version & 1) != 0)
        {
            producer._sequence = producer.SequenceAtTail(producer._oldest, producer._tail, producer._sequence);
            Volatile.Write(ref ring.Header->TailSequence, producer._sequence);
            Volatile.Write(ref ring.Header->TailVersion, version + 1);
        }

        producer._version = (version & 1) != 0 ? version + 1 : version;
        producer._cachedLimit = long.MinValue;
        producer._announced = Volatile.Read(ref ring.Header->TailIntent);
        return producer;
    }

    /// <summary>
    /// The sequence number of the record that will start at the tail, recomputed from the records after a producer died
    /// inside its commit (<paramref name="stored"/> is the TailSequence it left).
    /// </summary>
    /// <remarks>
    /// Commit writes the record's header and sequence, then TailVersion odd, TailSequence + 1, Tail, TailVersion even. So
    /// with the version odd, either Tail is still the start of that record's claim (TailSequence stored or not yet), or
    /// Tail is past it and TailSequence counts it. Every record in [Oldest, Tail) was published, and Oldest is at most
    /// the start of the last claim that reached its commit (its overwrite ended below it), so the last message there
    /// gives the answer; when there is none, Tail is still the start of the claim being committed, whose message,
    /// written before the seqlock opened, carries it. Anything else (a break in the sequence numbers, an answer that is
    /// neither the stored value nor one less) is no producer's doing. Only here, at open: at most a ring's worth of
    /// headers, each checked as a subscriber checks it.
    /// </remarks>
    private long SequenceAtTail(long oldest, long tail, long stored)
    {
        long last = -1;
        for (long position = oldest; position < tail;)
        {
            long footprint = _ring.CheckRecord(position, *_ring.RecordAt(position), tail, out bool isPadding);
            if (!isPadding)
            {
                long sequence = *(long*)(_ring.RecordAt(position) + 1);
                if (sequence < 0 || (last >= 0 && sequence != last + 1))
                {
                    throw _ring.Corrupted($"the record at position {position} has sequence {sequence} after {last}");
                }

                last = sequence;
            }

            position += footprint; // at least 8: the walk ends within tail - oldest <= capacity bytes
        }

        long atTail = last >= 0 ? last + 1 : SequenceOfClaimAt(tail);
        if (atTail != stored && atTail != stored - 1)
        {
            throw _ring.Corrupted($"the producer died inside a commit, and its records put sequence {atTail} at tail {tail}, where TailSequence says {stored}");
        }

        return atTail;
    }

    /// <summary>The sequence number in the message of the claim starting at <paramref name="tail"/> (after at most two paddings), all of it below TailIntent.</summary>
    private long SequenceOfClaimAt(long tail)
    {
        long position = tail;
        long intent = Volatile.Read(ref _header->TailIntent);
        if (intent < position || intent - position > _capacity)
        {
            throw _ring.Corrupted($"TailIntent {intent} is impossible for tail {position}");
        }

        for (int piece = 0; piece < 3; piece++)
        {
            long footprint = _ring.CheckRecord(position, *_ring.RecordAt(position), intent, out bool isPadding);
            if (!isPadding)
            {
                return *(long*)(_ring.RecordAt(position) + 1);
            }

            position += footprint;
        }

        throw _ring.Corrupted($"no message follows the padding at tail {tail}, where a producer died committing one");
    }

    /// <summary>A subscriber's half, joined at the live tail or at the oldest record still in the ring.</summary>
    public static BroadcastRing ForSubscriber(RingMemory ring, Segments.SharedSegment segment, ParticipantSlot* slot, bool lossy, bool fromOldest)
    {
        var subscriber = new BroadcastRing(ring, segment, slot, lossy);
        slot->Lost = 0;
        for (int attempt = 0; ; attempt++)
        {
            (long start, long sequence) = fromOldest ? subscriber.OldestRecord() : subscriber.ReadTailAndSequence();

            // Publish the start, then the mode (the producer counts a row only once it reads Tethered, and then reads a
            // position at least this one), and bump the epoch (a full fence); then check the producer has not announced a
            // write over the start. If it has, the sequence number read may be torn too: start again further on. A
            // producer that did not see the new row sees the new epoch on its next claim and looks again.
            Volatile.Write(ref slot->Position, start);
            Volatile.Write(ref slot->Mode, lossy ? ParticipantSlot.ModeLossy : ParticipantSlot.ModeTethered);
            Interlocked.Increment(ref ring.Header->JoinEpoch);
            long intent = Volatile.Read(ref ring.Header->TailIntent);
            if (start >= intent - ring.Capacity)
            {
                subscriber._position = start;
                subscriber._cachedTail = start;
                subscriber._nextSequence = sequence;
                return subscriber;
            }

            // Only a producer that announced an overwrite of the start after it was read sends the joiner round again,
            // so every such round means it announced a further claim meanwhile. A producer stores TailIntent (the end of its
            // claim, at most a ring ahead of its tail) before the Tail that reaches it, so a Tail read now is at least
            // TailIntent - Capacity; a TailIntent further ahead than that, or rounds without end, are no producer's.
            subscriber.CheckAnnouncedWithinARing(intent);
            subscriber.CheckRetries(attempt, "every start a subscriber picked to join at was announced overwritten before it could join");
        }
    }

    /// <summary>Rounds a loop may take because the producer moved on meanwhile before it is a peer's doing, not a race.</summary>
    private const int MaxRetries = 10_000;

    private void CheckRetries(int attempt, string what)
    {
        if (attempt >= MaxRetries)
        {
            throw _ring.Corrupted($"{what}, {MaxRetries} times in a row");
        }
    }

    /// <summary>Throws unless a Tail read now is at least <paramref name="intent"/> (a TailIntent read earlier) minus the capacity.</summary>
    private void CheckAnnouncedWithinARing(long intent)
    {
        long tail = Volatile.Read(ref _header->Tail);
        if (intent - _capacity > tail)
        {
            throw _ring.Corrupted($"TailIntent {intent} announces a claim more than a ring ahead of the tail {tail}");
        }
    }

    /// <summary>The tail and the sequence number of the record that will start there, read consistently.</summary>
    /// <remarks>
    /// A commit holds the seqlock odd for a few stores, so the joiner spins briefly, then backs off (yield, then sleep)
    /// rather than compete for the CPU with the producer it waits for. A seqlock odd past the patience is asked about
    /// the producer, never called corruption on time alone: a live producer (its row locked) was only descheduled, and is
    /// waited for up to <see cref="OddSeqlockLimitMs"/>; with none alive, the producer died inside its commit, and the
    /// pair is derived from the records exactly as the next producer will (<see cref="SequenceAtTail"/>), read-only.
    /// </remarks>
    private (long Tail, long Sequence) ReadTailAndSequence()
    {
        var patience = System.Diagnostics.Stopwatch.StartNew();
        var spinner = new SpinWait();
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

            if ((version & 1) != 0 && patience.ElapsedMilliseconds > OddSeqlockPatienceMs)
            {
                if (!_segment.IsSlotLockedByOther(ProducerRow))
                {
                    (long Tail, long Sequence)? derived = DeriveAfterDeadCommit(version);
                    if (derived is { } pair)
                    {
                        return pair;
                    }

                    continue; // a new producer closed the seqlock meanwhile: read it again
                }

                if (patience.ElapsedMilliseconds > OddSeqlockLimitMs)
                {
                    throw new TimeoutException(
                        $"The producer of channel '{_segment.Name}' is alive but has been inside one commit for {OddSeqlockLimitMs / 1000} s, so a subscriber cannot " +
                        "read where to join. The producer process is stopped or starved (a debugger, SIGSTOP, an overloaded machine); resume it and open the reader again.");
                }
            }

            spinner.SpinOnce(sleep1Threshold: 30);
        }
    }

    private const int ProducerRow = 0;

    // A commit is a few stores: odd this long means a descheduled or dead producer, which is then asked about.
    private const long OddSeqlockPatienceMs = 1000;

    // How long a joiner waits for a live producer stuck in its commit before it gives up with a TimeoutException.
    private const long OddSeqlockLimitMs = 30_000;

    /// <summary>Throws unless Tail, Oldest and TailSequence, as read from the header, are a state a producer makes.</summary>
    private static void CheckTailState(RingMemory ring, long tail, long oldest, long sequence)
    {
        if (tail < 0 || (tail & 7) != 0 || sequence < 0 || oldest < 0 || (oldest & 7) != 0 || oldest > tail || tail - oldest > ring.Capacity)
        {
            throw ring.Corrupted($"tail {tail}, oldest {oldest} and sequence {sequence} are inconsistent");
        }
    }

    /// <summary>
    /// The (Tail, sequence) pair a producer that died inside its commit left, derived read-only from the records as
    /// <see cref="ForProducer"/> will. Null when the seqlock moved from <paramref name="version"/> meanwhile: a new
    /// producer took over and made the pair consistent, and whatever was derived here may predate it.
    /// </summary>
    private (long Tail, long Sequence)? DeriveAfterDeadCommit(long version)
    {
        long tail = Volatile.Read(ref _header->Tail);
        long stored = Volatile.Read(ref _header->TailSequence);
        long oldest = Volatile.Read(ref _header->Oldest);
        long derived;
        try
        {
            CheckTailState(_ring, tail, oldest, stored);
            derived = SequenceAtTail(oldest, tail, stored);
        }
        catch (ChannelCorruptedException) when (Volatile.Read(ref _header->TailVersion) != version)
        {
            return null; // read while a new producer was repairing or writing: not evidence
        }

        Interlocked.MemoryBarrier(); // the record loads above happen before the version is checked again
        return Volatile.Read(ref _header->TailVersion) == version ? (tail, derived) : null;
    }

    /// <summary>
    /// The first message at or after <see cref="ChannelHeader.Oldest"/>, and its sequence number; or the tail and its
    /// sequence when there is none. The producer may be overwriting these records meanwhile, so whatever looks wrong
    /// is re-read from a fresh Oldest before it is called corruption.
    /// </summary>
    private (long Position, long Sequence) OldestRecord()
    {
        for (int attempt = 0; ; attempt++)
        {
            // TailIntent before Oldest: the producer stores Oldest past every record a claim overwrites before it
            // announces the claim, so Oldest read second is at least TailIntent - Capacity. And Oldest never passes the
            // tail the producer had then: past the tail read first, it is checked against a Tail read after it.
            (long tail, long tailSequence) = ReadTailAndSequence();
            long intent = Volatile.Read(ref _header->TailIntent);
            long position = Volatile.Read(ref _header->Oldest);
            if (position < intent - _capacity)
            {
                throw _ring.Corrupted($"the oldest record position {position} is already announced overwritten (TailIntent {intent})");
            }

            if (position > tail)
            {
                long now = Volatile.Read(ref _header->Tail);
                if (position > now)
                {
                    throw _ring.Corrupted($"the oldest record position {position} is past the tail {now}");
                }

                CheckRetries(attempt, "the producer moved on each time the oldest record was looked for");
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

            // A record found overwritten while it was read: the producer moved on, so look again from a fresh Oldest.
            CheckRetries(attempt, "the producer overwrote each oldest record found before its sequence number could be read");
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
        // Every subscriber known so far first: the cached limit, re-read when it says full or when JoinEpoch says someone
        // joined since it was read. A claim refused here has announced nothing, so it never makes a lossy reader count
        // an intact record lost nor moves Oldest past records a joiner could still start at.
        long epoch = Volatile.Read(ref _header->JoinEpoch);
        if ((end - _capacity > _cachedLimit || epoch != _joinEpoch) && !HasRoomAfterLookingAgain(end, epoch))
        {
            return null;
        }

        if (end > _announced)
        {
            // Oldest, then the announcement, whose fence orders it before the second look at JoinEpoch. That look is the
            // producer's half of the store-fence-load pair with a joiner ("bump JoinEpoch, then load TailIntent"): a
            // subscriber whose bump it misses sees this TailIntent and starts past the overwrite. One whose bump it sees
            // joined between the two loads of JoinEpoch, and may not have seen the announcement: its row has to be
            // read, and a claim it refuses stays announced (the only way a refused claim announces anything).
            // Without a new announcement the last one, made before an earlier look, already covers this claim's end.
            ForgetOverwritten(end - _capacity);
            Interlocked.Exchange(ref _header->TailIntent, end);
            _announced = end;
            ProtocolPoint.Reached(ProtocolPoint.BroadcastAnnounced);
            epoch = Volatile.Read(ref _header->JoinEpoch);
            if (epoch != _joinEpoch && !HasRoomAfterLookingAgain(end, epoch))
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
        // Each release store orders the stores before it, which is all a seqlock writer needs. The versions come from
        // the producer's own count, not from the shared word: one a peer made odd is even again after this commit.
        Volatile.Write(ref _header->TailVersion, _version + 1);
        Volatile.Write(ref _header->TailSequence, _sequence);
        ProtocolPoint.Reached(ProtocolPoint.BroadcastSequencePublished);
        Publication.Publish(_header, ref _header->Tail, _tail);
        _version += 2;
        Volatile.Write(ref _header->TailVersion, _version);
        RingWait.WakeIfParked((nint)(&_header->ReaderWake));
    }

    // The tail never moved: subscribers never see it. TailIntent may stay ahead, which only makes lossy readers
    // conservative.
    public void Abort() => _claimPosition = -1;

    public bool HasSpaceFor(int length)
    {
        long end = _tail + _ring.PaddingBefore(_tail, length) + _ring.Footprint(length);
        long epoch = Volatile.Read(ref _header->JoinEpoch);
        return (end - _capacity <= _cachedLimit && epoch == _joinEpoch) || HasRoomAfterLookingAgain(end, epoch);
    }

    /// <summary>Re-reads the tethered subscribers' rows (as of <paramref name="epoch"/>): whether a claim up to <paramref name="end"/> overwrites nothing they still need.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private bool HasRoomAfterLookingAgain(long end, long epoch)
    {
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
                // ParticipantRole.Release stores Mode = 0, then Position = -1, then State = free; this side loads them in
                // the other order. So a Position of -1 read after Mode said tethered is a subscriber leaving between the
                // two loads (its Mode is already 0): it holds nothing back any more. No honest row is ever tethered with
                // -1 (a joiner stores its start before its Mode), and every other value must be a record boundary the
                // producer has reached.
                long position = Volatile.Read(ref slot->Position);
                if (position == ReleasedPosition)
                {
                    continue;
                }

                if (position < 0 || position > _tail || (position & 7) != 0)
                {
                    throw _ring.Corrupted($"subscriber {i} claims position {position}, which is not a record boundary at or before the producer's tail {_tail}");
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

    long IRingConsumer.Position => _position;

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
        long padding = 0;
        int resynchronised = 0;
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
                Resynchronise(ref resynchronised);
                padding = 0;
                continue;
            }

            footprint = _ring.CheckRecord(_position, record, _cachedTail, out bool isPadding);
            if (isPadding)
            {
                // A producer pads at most to the end of the ring and then to an alignment before each message. A tail
                // checked against the position bounds the walk already, but a lossy subscriber's tail may be a lap or
                // more ahead (and one taken from a resynchronisation is checked against Oldest only): more than a
                // ring of padding in a row is a peer feeding the reader an endless ring.
                padding += footprint;
                if (padding > _capacity)
                {
                    throw _ring.Corrupted($"more than a ring's worth of padding follows position {_position + footprint - padding}");
                }

                _position += footprint;
                PublishPosition();
                continue;
            }

            long sequence = *(long*)(_ring.RecordAt(_position) + 1);
            if (_lossy && !IsIntactFrom(_position))
            {
                Resynchronise(ref resynchronised);
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
    /// <remarks>
    /// Each round of one read counts (<paramref name="rounds"/>): the padding counter restarts with each, so without a
    /// count a peer that keeps moving TailIntent, Oldest and Tail on could keep the read going round for ever. An honest
    /// producer laps a subscriber again between its resynchronisation and its next header check only by writing a
    /// whole ring in those few loads; MaxRetries times in a row is no race.
    /// </remarks>
    private void Resynchronise(ref int rounds)
    {
        CheckRetries(rounds++, "a lossy subscriber was lapped again each time it resynchronised");

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
        ProtocolPoint.Reached(ProtocolPoint.BroadcastResynchronised);
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
        bool lapped = tail - _position > _capacity;
        if (tail < _position || (tail & 7) != 0 || (lapped && !_lossy))
        {
            throw _ring.Corrupted($"the producer's tail {tail} is impossible for subscriber position {_position}");
        }

        if (lapped)
        {
            CheckAnnounced(tail); // TryFindNext notices the lap and resynchronises
        }

        return tail;
    }

    /// <summary>
    /// Throws unless a tail more than a ring ahead of this lossy subscriber is one it can honestly see: the producer
    /// stores TailIntent (its claim's end) before the Tail that reaches it, so a TailIntent read after the tail is at
    /// least the tail. (A tethered subscriber is never lapped: its producer never claims a ring past it.)
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void CheckAnnounced(long tail)
    {
        long intent = Volatile.Read(ref _header->TailIntent);
        if (tail > intent)
        {
            throw _ring.Corrupted($"the producer's tail {tail} is beyond every claim it announced (TailIntent {intent})");
        }
    }
}
