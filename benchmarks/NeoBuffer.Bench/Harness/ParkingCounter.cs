using System;
using System.Threading;
using NeoBuffer.Interop;
using NeoBuffer.Testing;

namespace NeoBuffer.Bench.Harness;

/// <summary>
/// How the raw baselines (<c>handoff</c>, <c>raw-readers</c>) wait: on a monotonic 64-bit counter in shared memory, the
/// way the ring waits, so a baseline is a limit under load as well as on a quiet machine. A waiter spins as long as a
/// channel's waiter does by default (<see cref="SpinCount"/> rounds of checks, with the ring's own pause between
/// them), then counts itself in the side's <em>parked</em> word and sleeps in FUTEX_WAIT on the counter's low 32 bits; a publisher
/// stores the counter and calls FUTEX_WAKE only if some waiter is parked. A handoff whose sides only spun ran 3x to 7x
/// slower than the ring on the loaded 2-vCPU VM: a spinner waiting for a descheduled peer burns its whole time slice,
/// while a parked side gives the CPU to the peer it waits for and is woken with the scheduler's boost for sleepers.
/// <para>
/// Ordering: the waiter increments <c>parked</c> (a locked instruction, a full fence) and then loads the counter; the
/// publisher exchanges the counter (a full fence) and then loads <c>parked</c>. In every interleaving one of them sees
/// the other's store: either the waiter's re-check sees the new value and does not sleep, or the publisher sees the
/// waiter and wakes it. FUTEX_WAIT compares the counter with the value the waiter last saw under the kernel's bucket
/// lock, so a store between that load and the sleep makes it return at once. The publisher's fence is one locked
/// instruction per message of 64 KiB or more (tens of nanoseconds against microseconds of copying): the ring avoids it
/// with a late asymmetric fence, which a baseline does not need to imitate to stay a fair limit.
/// </para>
/// <para>
/// Every counter stays below 2^31 in these runs (a few hundred thousand messages at most), so its low 32 bits change on
/// every store and the futex, which watches 32 bits, never misses one.
/// </para>
/// </summary>
internal static unsafe class ParkingCounter
{
    /// <summary>Spin rounds before parking: <c>SharedChannelOptions.SpinCount</c>'s default, which the NeoBuffer rows use.</summary>
    public const int SpinCount = 100;

    /// <summary>A parked waiter wakes this often to check that its peers are alive, so a dead peer fails the run instead of hanging it.</summary>
    private const long PeerCheckNs = 100_000_000;

    /// <summary>Stores <paramref name="value"/> into <paramref name="counter"/> and wakes its waiters if one is parked (counted in <paramref name="parked"/>).</summary>
    public static void Publish(long* counter, long value, int* parked)
    {
        Interlocked.Exchange(ref *counter, value); // release and full fence: the data before it, and it before the load of parked
        if (Volatile.Read(ref *parked) != 0)
        {
            Futex.WakeAll((int*)counter);
        }
    }

    /// <summary>
    /// Returns once <paramref name="counter"/> is at least <paramref name="atLeast"/> (an acquire load: what its
    /// publisher wrote before it is visible); parks after the spin, counted in <paramref name="parked"/>. A parked
    /// waiter checks <paramref name="peers"/> after each quiet slice and throws if one has exited (a child passes none:
    /// it exits by itself when its parent goes).
    /// </summary>
    public static void WaitUntil(long* counter, long atLeast, int* parked, ChildProcess[]? peers)
    {
        if (Volatile.Read(ref *counter) >= atLeast)
        {
            return;
        }

        for (long check = 1, checks = NeoBuffer.Waiting.SpinPoll.Checks(SpinCount); check <= checks; check++)
        {
            NeoBuffer.Waiting.SpinPoll.Pause(check);
            if (Volatile.Read(ref *counter) >= atLeast)
            {
                return;
            }
        }

        Interlocked.Increment(ref *parked); // full fence: counted before the re-check below
        try
        {
            long seen;
            while ((seen = Volatile.Read(ref *counter)) < atLeast)
            {
                if (!Futex.Wait((int*)counter, (int)seen, PeerCheckNs) && peers is not null)
                {
                    Array.ForEach(peers, peer => peer.ThrowIfExited());
                }
            }
        }
        finally
        {
            Interlocked.Decrement(ref *parked);
        }
    }
}
