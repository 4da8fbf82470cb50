

namespace NeoBuffer.Testing;

/// <summary>
/// The layout of a broadcast chaos episode's <see cref="SharedCounters"/>. The producer is a child that is killed and
/// replaced, each producer a generation with its own record keys (producer id = generation): per generation, how many
/// records it has committed (stored after each commit, so a killed one may have committed one more). Then how often the
/// producer found the ring full (held back by a tethered subscriber), whether a producer found the channel closed
/// (faulted by a subscriber that saw the dead producer first), how far the parent lets the producers go, and per
/// subscriber how many records it has received and the newest generation it has read.
/// </summary>
public static class BroadcastBoard
{
    public const int Generations = 256;
    public const int Subscribers = CheckedChannel.MaxParticipants;

    public const int HeldBack = 2 * Generations;
    public const int Closed = HeldBack + 1;

    /// <summary>
    /// How many records of the episode the producers may have committed so far: the parent's pacing, so that each kill
    /// falls where it was drawn instead of after a stream a producer writes in a second.
    /// </summary>
    public const int Allowed = HeldBack + 2;
    public const int Size = HeldBack + 8 + (2 * Subscribers);

    public static int Committed(long generation) => (int)generation;

    public static int Received(int subscriber) => HeldBack + 8 + subscriber;

    /// <summary>The newest generation whose records subscriber <paramref name="subscriber"/> has read, plus one (0: none yet).</summary>
    public static int Reading(int subscriber) => HeldBack + 8 + Subscribers + subscriber;

    /// <summary>Records committed by generations 0 to <paramref name="last"/> (their counters).</summary>
    public static long CommittedUpTo(SharedCounters board, long last)
    {
        long sum = 0;
        for (long generation = 0; generation <= last && generation < Generations; generation++)
        {
            sum += board.Read(Committed(generation));
        }

        return sum;
    }
}
