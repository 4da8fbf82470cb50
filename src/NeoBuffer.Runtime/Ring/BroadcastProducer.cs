using System;
using System.Threading;
using NeoBuffer.Format;
using NeoBuffer.Segments;
using NeoBuffer.Waiting;

namespace NeoBuffer.Ring;

/// <summary>
/// The producer's side of the one-producer many-subscriber broadcast protocol (docs/format.md, "Broadcast protocol";
/// the subscribers' side is <see cref="BroadcastSubscriber"/>). Every subscriber sees every record, reading it in
/// place; nobody copies or consumes anything, so each record is written once whatever the number of subscribers.
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
internal sealed unsafe class BroadcastProducer : RingProducer
{
    /// <summary>The Position <see cref="ParticipantRole.Release"/> leaves in a row it gives back.</summary>
    private const long ReleasedPosition = -1;

    private readonly SharedSegment _segment;
    private long _tail;
    private long _sequence;
    private long _oldest;
    private long _cachedLimit;
    private long _announced;
    private long _joinEpoch;
    private long _version; // the seqlock's value, kept here: a peer that writes the shared word cannot keep it odd

    private BroadcastProducer(RingMemory memory)
        : base(memory)
    {
        _segment = memory.Segment;
    }

    /// <summary>Opens the producer's side, resuming after the records already published.</summary>
    public static BroadcastProducer Open(RingMemory memory)
    {
        var producer = new BroadcastProducer(memory);
        producer._tail = Volatile.Read(ref memory.Header->Tail);
        producer._sequence = Volatile.Read(ref memory.Header->TailSequence);
        producer._oldest = Volatile.Read(ref memory.Header->Oldest);
        BroadcastTailState.Check(memory, producer._tail, producer._oldest, producer._sequence);

        // A producer that died inside its commit left the seqlock odd, and maybe TailSequence counting the record it
        // was publishing while Tail still points before it: the next record at Tail would then carry a sequence one
        // too high, and every tethered subscriber would call it corruption. The records say which it was; the pair is
        // made consistent, then the seqlock closed so joiners are not kept spinning.
        long version = Volatile.Read(ref memory.Header->TailVersion);
        if ((version & 1) != 0)
        {
            producer._sequence = BroadcastTailState.SequenceAtTail(memory, producer._oldest, producer._tail, producer._sequence);
            Volatile.Write(ref memory.Header->TailSequence, producer._sequence);
            Volatile.Write(ref memory.Header->TailVersion, version + 1);
        }

        producer._version = (version & 1) != 0 ? version + 1 : version;
        producer._cachedLimit = long.MinValue;
        producer._announced = Volatile.Read(ref memory.Header->TailIntent);
        return producer;
    }

    // claim (announce the overwrite, respect tethered subscribers) -> fill -> commit (publish the tail)

    protected override byte* TryClaimChecked(int length)
    {
        long padding = Memory.PaddingBefore(_tail, length);
        long end = _tail + padding + Memory.Footprint(length);
        // Every subscriber known so far first: the cached limit, re-read when it says full or when JoinEpoch says someone
        // joined since it was read. A claim refused here has announced nothing, so it never makes a lossy reader count
        // an intact record lost nor moves Oldest past records a joiner could still start at.
        long epoch = Volatile.Read(ref Header->JoinEpoch);
        if ((end - Capacity > _cachedLimit || epoch != _joinEpoch) && !HasRoomAfterLookingAgain(end, epoch))
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
            ForgetOverwritten(end - Capacity);
            Interlocked.Exchange(ref Header->TailIntent, end);
            _announced = end;
            ProtocolPoint.Reached(ProtocolPoint.BroadcastAnnounced);
            epoch = Volatile.Read(ref Header->JoinEpoch);
            if (epoch != _joinEpoch && !HasRoomAfterLookingAgain(end, epoch))
            {
                return null;
            }
        }

        Memory.WritePadding(_tail, padding);
        ClaimPosition = _tail + padding;
        ClaimLength = length;
        return Memory.PayloadAt(ClaimPosition);
    }

    public override void Commit(int length)
    {
        // A shorter message moves the tail only to its own end: subscribers learn where records are from Tail, which
        // this producer alone stores, so the rest of the claim was never published and is free ring again. TailIntent
        // and Oldest stay where the claim put them, ahead, as after an abort: lossy readers are only conservative.
        RecordHeader* record = Memory.RecordAt(ClaimPosition);
        record->Type = RecordHeader.TypeMessage;
        record->Length = RecordFraming.SequencedFrame + length;
        *(long*)(record + 1) = _sequence;
        _sequence++;
        _tail = ClaimPosition + Memory.Footprint(length);
        ClaimPosition = -1;

        // A seqlock write, so a joining subscriber reads the tail and its sequence number as a pair.
        // Each release store orders the stores before it, which is all a seqlock writer needs. The versions come from
        // the producer's own count, not from the shared word: one a peer made odd is even again after this commit.
        Volatile.Write(ref Header->TailVersion, _version + 1);
        Volatile.Write(ref Header->TailSequence, _sequence);
        ProtocolPoint.Reached(ProtocolPoint.BroadcastSequencePublished);
        Publication.Publish(Header, ref Header->Tail, _tail);
        _version += 2;
        Volatile.Write(ref Header->TailVersion, _version);
        RingWait.WakeIfParked((nint)(&Header->ReaderWake));
    }

    // Abort (the base's): the tail never moved, so subscribers never see the claim. TailIntent may stay ahead, which
    // only makes lossy readers conservative.

    public override bool HasSpaceFor(int length)
    {
        long end = _tail + Memory.PaddingBefore(_tail, length) + Memory.Footprint(length);
        long epoch = Volatile.Read(ref Header->JoinEpoch);
        return (end - Capacity <= _cachedLimit && epoch == _joinEpoch) || HasRoomAfterLookingAgain(end, epoch);
    }

    /// <summary>Re-reads the tethered subscribers' rows (as of <paramref name="epoch"/>): whether a claim up to <paramref name="end"/> overwrites nothing they still need.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private bool HasRoomAfterLookingAgain(long end, long epoch)
    {
        _joinEpoch = epoch;
        _cachedLimit = SlowestTethered();
        return end - Capacity <= _cachedLimit;
    }

    /// <summary>A dead tethered subscriber stops holding the producer back: its row is freed and the limit re-read.</summary>
    public override void ReclaimFromDeadPeers()
    {
        for (int i = ParticipantTable.BroadcastFirstSubscriberRow; i < _segment.Geometry.ParticipantRows; i++)
        {
            if (Volatile.Read(ref _segment.Row(i)->Mode) == ParticipantRow.ModeTethered && ParticipantRole.IsHolderDead(_segment, i))
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
        for (int i = ParticipantTable.BroadcastFirstSubscriberRow; i < _segment.Geometry.ParticipantRows; i++)
        {
            ParticipantRow* row = _segment.Row(i);
            if (Volatile.Read(ref row->State) == ParticipantRow.StateActive && Volatile.Read(ref row->Mode) == ParticipantRow.ModeTethered)
            {
                // ParticipantRole.Release stores Mode = 0, then Position = -1, then State = free; this side loads them in
                // the other order. So a Position of -1 read after Mode said tethered is a subscriber leaving between the
                // two loads (its Mode is already 0): it holds nothing back any more. No honest row is ever tethered with
                // -1 (a joiner stores its start before its Mode), and every other value must be a record boundary the
                // producer has reached.
                long position = Volatile.Read(ref row->Position);
                if (position == ReleasedPosition)
                {
                    continue;
                }

                if (!RecordFraming.IsBoundaryWithin(position, 0, _tail))
                {
                    throw Memory.Corrupted($"subscriber {i} claims position {position}, which is not a record boundary at or before the producer's tail {_tail}");
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
            RecordHeader record = *Memory.RecordAt(_oldest);
            _oldest += Memory.CheckRecord(_oldest, record, _tail, out _);
        }

        Volatile.Write(ref Header->Oldest, _oldest);
    }
}
