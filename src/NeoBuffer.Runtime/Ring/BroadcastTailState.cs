using System;
using System.Threading;
using NeoBuffer.Format;

namespace NeoBuffer.Ring;

/// <summary>
/// The broadcast ring's tail state in the header (Tail, TailSequence, Oldest, under the TailVersion seqlock), as a
/// producer or a joining subscriber reads it: the check that it is a state a producer makes, and the sequence number at
/// the tail recomputed from the records after a producer died inside its commit. The producer repairs the header with
/// it (<see cref="BroadcastProducer.Open"/>); a subscriber joining meanwhile derives the same answer read-only.
/// </summary>
internal static unsafe class BroadcastTailState
{
    /// <summary>Throws unless Tail, Oldest and TailSequence, as read from the header, are a state a producer makes.</summary>
    public static void Check(RingMemory ring, long tail, long oldest, long sequence)
    {
        if (!RecordFraming.IsBoundaryWithin(tail, 0, long.MaxValue) || sequence < 0 || !RecordFraming.IsBoundaryWithin(oldest, 0, tail) || tail - oldest > ring.Capacity)
        {
            throw ring.Corrupted($"tail {tail}, oldest {oldest} and sequence {sequence} are inconsistent");
        }
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
    public static long SequenceAtTail(RingMemory ring, long oldest, long tail, long stored)
    {
        long last = -1;
        for (long position = oldest; position < tail;)
        {
            long footprint = ring.CheckRecord(position, *ring.RecordAt(position), tail, out bool isPadding);
            if (!isPadding)
            {
                long sequence = *(long*)(ring.RecordAt(position) + 1);
                if (sequence < 0 || (last >= 0 && sequence != last + 1))
                {
                    throw ring.Corrupted($"the record at position {position} has sequence {sequence} after {last}");
                }

                last = sequence;
            }

            position += footprint; // at least 8: the walk ends within tail - oldest <= capacity bytes
        }

        long atTail = last >= 0 ? last + 1 : SequenceOfClaimAt(ring, tail);
        if (atTail != stored && atTail != stored - 1)
        {
            throw ring.Corrupted($"the producer died inside a commit, and its records put sequence {atTail} at tail {tail}, where TailSequence says {stored}");
        }

        return atTail;
    }

    /// <summary>The sequence number in the message of the claim starting at <paramref name="tail"/> (after at most two paddings), all of it below TailIntent.</summary>
    private static long SequenceOfClaimAt(RingMemory ring, long tail)
    {
        long position = tail;
        long intent = Volatile.Read(ref ring.Header->TailIntent);
        if (intent < position || intent - position > ring.Capacity)
        {
            throw ring.Corrupted($"TailIntent {intent} is impossible for tail {position}");
        }

        for (int piece = 0; piece < 3; piece++)
        {
            long footprint = ring.CheckRecord(position, *ring.RecordAt(position), intent, out bool isPadding);
            if (!isPadding)
            {
                return *(long*)(ring.RecordAt(position) + 1);
            }

            position += footprint;
        }

        throw ring.Corrupted($"no message follows the padding at tail {tail}, where a producer died committing one");
    }
}
