using System;
using System.Threading;
using NeoBuffer.Format;
using NeoBuffer.Segments;
using NeoBuffer.Waiting;

namespace NeoBuffer.Ring;

/// <summary>
/// A subscriber's side of the one-producer many-subscriber broadcast protocol (docs/format.md, "Broadcast protocol";
/// the producer's side is <see cref="BroadcastProducer"/>). Every subscriber sees every record, reading it in place;
/// nobody copies or consumes anything, so each record is written once whatever the number of subscribers.
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
internal sealed unsafe class BroadcastSubscriber : RingConsumer
{
    private readonly SharedSegment _segment;
    private readonly ParticipantRow* _row;
    private readonly bool _lossy;
    private long _position;

    public override long Position => _position;
    private long _nextSequence;
    private long _cachedTail;
    private long _lost;
    private bool _leaseCountedLost;

    private BroadcastSubscriber(RingMemory memory, ParticipantRow* row, bool lossy)
        : base(memory)
    {
        _segment = memory.Segment;
        _row = row;
        _lossy = lossy;
    }

    /// <summary>Opens a subscriber's side, joined at the live tail or at the oldest record still in the ring.</summary>
    public static BroadcastSubscriber Open(RingMemory memory, ParticipantRow* row, bool lossy, bool fromOldest)
    {
        var subscriber = new BroadcastSubscriber(memory, row, lossy);
        row->Lost = 0;
        for (int attempt = 0; ; attempt++)
        {
            (long start, long sequence) = fromOldest ? subscriber.OldestRecord() : subscriber.ReadTailAndSequence();

            // Publish the start, then the mode (the producer counts a row only once it reads Tethered, and then reads a
            // position at least this one), and bump the epoch (a full fence); then check the producer has not announced a
            // write over the start. If it has, the sequence number read may be torn too: start again further on. A
            // producer that did not see the new row sees the new epoch on its next claim and looks again.
            Volatile.Write(ref row->Position, start);
            Volatile.Write(ref row->Mode, lossy ? ParticipantRow.ModeLossy : ParticipantRow.ModeTethered);
            Interlocked.Increment(ref memory.Header->JoinEpoch);
            long intent = Volatile.Read(ref memory.Header->TailIntent);
            if (start >= intent - memory.Capacity)
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
            throw Memory.Corrupted($"{what}, {MaxRetries} times in a row");
        }
    }

    /// <summary>Throws unless a Tail read now is at least <paramref name="intent"/> (a TailIntent read earlier) minus the capacity.</summary>
    private void CheckAnnouncedWithinARing(long intent)
    {
        long tail = Volatile.Read(ref Header->Tail);
        if (intent - Capacity > tail)
        {
            throw Memory.Corrupted($"TailIntent {intent} announces a claim more than a ring ahead of the tail {tail}");
        }
    }

    /// <summary>The tail and the sequence number of the record that will start there, read consistently.</summary>
    /// <remarks>
    /// A commit holds the seqlock odd for a few stores, so the joiner spins briefly, then backs off (yield, then sleep)
    /// rather than compete for the CPU with the producer it waits for. A seqlock odd past the patience is asked about
    /// the producer, never called corruption on time alone: a live producer (its row locked) was only descheduled, and is
    /// waited for up to <see cref="OddSeqlockLimitMs"/>; with none alive, the producer died inside its commit, and the
    /// pair is derived from the records exactly as the next producer will (<see cref="BroadcastTailState.SequenceAtTail"/>), read-only.
    /// </remarks>
    private (long Tail, long Sequence) ReadTailAndSequence()
    {
        var patience = System.Diagnostics.Stopwatch.StartNew();
        var spinner = new SpinWait();
        while (true)
        {
            long version = Volatile.Read(ref Header->TailVersion);
            long sequence = Volatile.Read(ref Header->TailSequence);
            long tail = Volatile.Read(ref Header->Tail);
            Interlocked.MemoryBarrier();
            if ((version & 1) == 0 && version == Volatile.Read(ref Header->TailVersion))
            {
                if (!RecordFraming.IsBoundaryWithin(tail, 0, long.MaxValue) || sequence < 0)
                {
                    throw Memory.Corrupted($"tail {tail} and sequence {sequence} are impossible");
                }

                return (tail, sequence);
            }

            if ((version & 1) != 0 && patience.ElapsedMilliseconds > OddSeqlockPatienceMs)
            {
                if (!_segment.IsRowLockedByOther(ParticipantTable.BroadcastWriterRow))
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


    // A commit is a few stores: odd this long means a descheduled or dead producer, which is then asked about.
    private const long OddSeqlockPatienceMs = 1000;

    // How long a joiner waits for a live producer stuck in its commit before it gives up with a TimeoutException.
    private const long OddSeqlockLimitMs = 30_000;

    /// <summary>
    /// The (Tail, sequence) pair a producer that died inside its commit left, derived read-only from the records as
    /// <see cref="BroadcastProducer.Open"/> will. Null when the seqlock moved from <paramref name="version"/> meanwhile: a new
    /// producer took over and made the pair consistent, and whatever was derived here may predate it.
    /// </summary>
    private (long Tail, long Sequence)? DeriveAfterDeadCommit(long version)
    {
        long tail = Volatile.Read(ref Header->Tail);
        long stored = Volatile.Read(ref Header->TailSequence);
        long oldest = Volatile.Read(ref Header->Oldest);
        long derived;
        try
        {
            BroadcastTailState.Check(Memory, tail, oldest, stored);
            derived = BroadcastTailState.SequenceAtTail(Memory, oldest, tail, stored);
        }
        catch (ChannelCorruptedException) when (Volatile.Read(ref Header->TailVersion) != version)
        {
            return null; // read while a new producer was repairing or writing: not evidence
        }

        Interlocked.MemoryBarrier(); // the record loads above happen before the version is checked again
        return Volatile.Read(ref Header->TailVersion) == version ? (tail, derived) : null;
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
            long intent = Volatile.Read(ref Header->TailIntent);
            long position = Volatile.Read(ref Header->Oldest);
            if (position < intent - Capacity)
            {
                throw Memory.Corrupted($"the oldest record position {position} is already announced overwritten (TailIntent {intent})");
            }

            if (position > tail)
            {
                long now = Volatile.Read(ref Header->Tail);
                if (position > now)
                {
                    throw Memory.Corrupted($"the oldest record position {position} is past the tail {now}");
                }

                CheckRetries(attempt, "the producer moved on each time the oldest record was looked for");
                continue; // the producer wrote more than a ring since the tail was read: read both again
            }

            if (!RecordFraming.IsBoundaryWithin(position, tail - Capacity, long.MaxValue))
            {
                throw Memory.Corrupted($"the oldest record position {position} is impossible for tail {tail}");
            }

            while (position < tail)
            {
                RecordHeader record = *Memory.RecordAt(position);
                if (!IsIntactFrom(position))
                {
                    break;
                }

                long footprint = Memory.CheckRecord(position, record, tail, out bool isPadding);
                if (isPadding)
                {
                    position += footprint;
                    continue;
                }

                long sequence = *(long*)(Memory.RecordAt(position) + 1);
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


    // lease in place -> read -> (lossy: was it intact?) -> move on

    protected override void Advance(long end)
    {
        _position = end;
        _nextSequence++;
        _leaseCountedLost = false;
    }

    protected override void PublishConsumed() => PublishPosition();

    public override void AbandonRead()
    {
        base.AbandonRead();
        _leaseCountedLost = false; // the next lease (of this record or a later one) is counted lost at most once again
    }

    public override void ReclaimFromDeadPeers() => PeerLiveness.FaultIfWriterDead(_segment, ParticipantTable.BroadcastWriterRow);

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
        return Volatile.Read(ref Header->TailIntent) - Capacity <= position;
    }

    protected override bool TryFindNext(out long position, out long footprint, out int length)
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
                    position = 0;
                    footprint = 0;
                    length = 0;
                    return false;
                }
            }

            // A lossy subscriber checks after each read that the producer had not begun overwriting what it read.
            RecordHeader record = *Memory.RecordAt(_position);
            if (_lossy && !IsIntactFrom(_position))
            {
                Resynchronise(ref resynchronised);
                padding = 0;
                continue;
            }

            footprint = Memory.CheckRecord(_position, record, _cachedTail, out bool isPadding);
            if (isPadding)
            {
                // A tail checked against the position bounds the walk already, but a lossy subscriber's tail may be a
                // lap or more ahead (and one taken from a resynchronisation is checked against Oldest only).
                CountPadding(ref padding, _position, footprint);

                _position += footprint;
                PublishPosition();
                continue;
            }

            long sequence = *(long*)(Memory.RecordAt(_position) + 1);
            if (_lossy && !IsIntactFrom(_position))
            {
                Resynchronise(ref resynchronised);
                continue;
            }

            if (sequence != _nextSequence)
            {
                if (!_lossy || sequence < _nextSequence)
                {
                    throw Memory.Corrupted($"the record at position {_position} has sequence {sequence}, expected {_nextSequence}");
                }

                AddLost(sequence - _nextSequence);
                _nextSequence = sequence;
            }

            position = _position;
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
        long intent = Volatile.Read(ref Header->TailIntent);
        long oldest = Volatile.Read(ref Header->Oldest);
        long tail = Volatile.Read(ref Header->Tail);
        if (oldest < intent - Capacity || !RecordFraming.IsBoundaryWithin(oldest, _position, tail))
        {
            throw Memory.Corrupted($"the oldest record position {oldest} is impossible (subscriber at {_position}, tail {tail})");
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
        Volatile.Write(ref _row->Lost, _lost);
    }

    private void PublishPosition()
    {
        if (_lossy)
        {
            // Nobody waits on a lossy subscriber: its position is for tools only.
            Volatile.Write(ref _row->Position, _position);
            return;
        }

        Publication.Publish(Header, ref _row->Position, _position);
        RingWait.WakeIfParked((nint)(&Header->WriterWake));
    }

    private long ReadTail()
    {
        long tail = Volatile.Read(ref Header->Tail);
        bool lapped = tail - _position > Capacity;
        if (!RecordFraming.IsBoundaryWithin(tail, _position, long.MaxValue) || (lapped && !_lossy))
        {
            throw Memory.Corrupted($"the producer's tail {tail} is impossible for subscriber position {_position}");
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
        long intent = Volatile.Read(ref Header->TailIntent);
        if (tail > intent)
        {
            throw Memory.Corrupted($"the producer's tail {tail} is beyond every claim it announced (TailIntent {intent})");
        }
    }
}
