using System;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Interop;
using NeoBuffer.Segments;

namespace NeoBuffer.Waiting;

/// <summary>
/// The one place a channel side waits for its peer: spin briefly, then park on the side's wake word in shared memory.
/// <para>
/// Parking protocol (docs/format.md, "Waking"). A wake word is an event count: bit 0 says "someone is parked or about
/// to park", the other bits count wake-ups. The waiter sets bit 0 with a fence of its own (remembering the value it
/// armed), re-checks its condition, and only then sleeps with FUTEX_WAIT(word, armed), for at most
/// <see cref="UnfencedSliceNs"/> before it fences for the publishers too (<see cref="Ring.Publication"/>). The peer
/// publishes its progress and then loads the word; if bit 0 is set it bumps the count (clearing bit 0) and calls
/// FUTEX_WAKE. Once both fences stand, either the waiter's re-check sees the progress or the peer sees bit 0; and
/// since a wake always changes the word, a waiter that armed before it can never sleep through it, however many other
/// waiters re-arm the same word meanwhile. The peer makes a system call only when someone is, or was about to be,
/// parked.
/// </para>
/// </summary>
internal static class RingWait
{
    /// <summary>
    /// The longest a waiter sleeps before it checks its peers are alive. Liveness is decided by proof (a dead
    /// process's lock is gone), not by this timeout; this only bounds how late a waiter notices, since a dead process
    /// cannot wake it.
    /// </summary>
    public const long PeerCheckIntervalNs = 100_000_000;

    /// <summary>
    /// How long a waiter first sleeps on an arming only it has fenced. A publisher that does not fence can, in a
    /// window of nanoseconds, miss that arming while the waiter misses its progress; the waiter then learns of it when
    /// this slice ends, issues the global barrier that makes its arming visible to every publisher, and re-checks.
    /// Waits that are woken within the slice (a parked ping-pong) never pay for the barrier, which costs tens of
    /// microseconds on a virtual machine; an idle waiter pays for it once.
    /// </summary>
    public const long UnfencedSliceNs = 1_000_000;

    /// <summary>
    /// Blocks until the condition holds; false when <paramref name="timeout"/> passed first. Holds a reference on the
    /// mapping throughout, so a dispose on another thread wakes the wait instead of unmapping memory under it.
    /// </summary>
    public static unsafe bool Block<TCondition>(TCondition condition, nint word, SegmentMapping mapping, int spinCount, TimeSpan timeout, CancellationToken cancellationToken)
        where TCondition : struct, IWaitCondition
    {
        long deadline = DeadlineOf(timeout);
        bool added = false;
        mapping.DangerousAddRef(ref added);
        try
        {
            if (condition.IsSatisfied())
            {
                return true;
            }

            cancellationToken.ThrowIfCancellationRequested();
            for (int i = 0; i < spinCount; i++)
            {
                Thread.SpinWait(10);
                if (condition.IsSatisfied())
                {
                    return true;
                }
            }

            using CancellationTokenRegistration registration = cancellationToken.UnsafeRegister(static state => WakeWord((nint)state!), word);
            bool parked = false;
            int armed = ArmLocally(word);
            var fence = default(PublisherFence);
            while (true)
            {
                if (condition.IsSatisfied())
                {
                    return true;
                }

                cancellationToken.ThrowIfCancellationRequested();
                long remaining = deadline - MonotonicClock.NowNs;
                if (remaining <= 0)
                {
                    // One last look, fenced for publishers, before giving up: a progress store still in a
                    // publisher's store buffer must not turn into a timeout.
                    if (fence.MakeOnce())
                    {
                        continue;
                    }

                    return false;
                }

                if (!parked)
                {
                    parked = true;
                    condition.OnParking();
                }

                if (!Futex.Wait((int*)word, armed, Math.Min(remaining, fence.SliceNs)))
                {
                    if (!fence.MakeOnce())
                    {
                        condition.ReclaimFromDeadPeers();
                    }

                    if (Volatile.Read(ref *(int*)word) == armed)
                    {
                        // Nobody woke the word since it was armed, so the arming still stands: an idle slice costs
                        // a plain re-check (and the peer check), not a CAS and a barrier.
                        continue;
                    }
                }

                armed = ArmLocally(word);
                fence.Rearmed();
            }
        }
        finally
        {
            mapping.DangerousRelease();
        }
    }

    /// <summary>Waits without blocking a thread: the process's futex waiter thread parks for it.</summary>
    public static unsafe ValueTask<bool> WaitAsync<TCondition>(TCondition condition, nint word, SegmentMapping mapping, int spinCount, TimeSpan timeout, CancellationToken cancellationToken)
        where TCondition : struct, IWaitCondition
    {
        long deadline = DeadlineOf(timeout);
        bool added = false;
        mapping.DangerousAddRef(ref added);
        bool parked = false;
        try
        {
            if (condition.IsSatisfied())
            {
                return new ValueTask<bool>(true);
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return ValueTask.FromCanceled<bool>(cancellationToken);
            }

            // A short spin only: this runs on the caller's thread, which may be a thread-pool thread.
            for (int i = 0; i < spinCount / 16; i++)
            {
                Thread.SpinWait(10);
                if (condition.IsSatisfied())
                {
                    return new ValueTask<bool>(true);
                }
            }

            parked = true;
            return ParkAsync(condition, word, mapping, deadline, cancellationToken);
        }
        finally
        {
            if (!parked)
            {
                mapping.DangerousRelease();
            }
        }
    }

    /// <summary>The parked half of <see cref="WaitAsync"/>; it owns (and releases) the caller's reference on the mapping.</summary>
    private static async ValueTask<bool> ParkAsync<TCondition>(TCondition condition, nint word, SegmentMapping mapping, long deadline, CancellationToken cancellationToken)
        where TCondition : struct, IWaitCondition
    {
        try
        {
            bool countedParking = false;
            var sliceCheck = new ConditionSliceCheck<TCondition>(condition);
            while (true)
            {
                int armed = ArmLocally(word);
                sliceCheck.Rearmed();
                if (condition.IsSatisfied())
                {
                    return true;
                }

                if (!countedParking)
                {
                    countedParking = true;
                    condition.OnParking();
                }

                // The waiter thread fences for publishers and checks the peers itself, slice by slice; the wait ends
                // only on a wake, the deadline, a dead peer's error, or a condition found true.
                if (await FutexWaitEngine.Shared.WaitAnyAsync([(word, armed)], deadline, cancellationToken, sliceCheck).ConfigureAwait(false) < 0)
                {
                    // The deadline: one last look, fenced for publishers if the slice checks had not yet done it, as
                    // a blocking wait re-checks before it gives up.
                    sliceCheck.FenceIfNotYet();
                    return condition.IsSatisfied();
                }
            }
        }
        finally
        {
            mapping.DangerousRelease();
        }
    }

    /// <summary>
    /// The publisher's half: after publishing progress (see <see cref="Ring.Publication"/> for the ordering), wakes the
    /// word's waiters if any is parked or about to park. Costs one load when nobody is.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static unsafe void WakeIfParked(nint word)
    {
        if ((Volatile.Read(ref *(int*)word) & 1) != 0)
        {
            WakeWord(word);
        }
    }

    /// <summary>Bumps a wake word's count (clearing its parked bit) and wakes everyone parked on it (peers, cancellation, dispose).</summary>
    public static unsafe void WakeWord(nint word)
    {
        int value = Volatile.Read(ref *(int*)word);
        while (true)
        {
            int seen = Interlocked.CompareExchange(ref *(int*)word, (value + 2) & ~1, value);
            if (seen == value)
            {
                break;
            }

            value = seen;
        }

        Futex.WakeAll((int*)word);
    }

    /// <summary>
    /// Sets the parked bit and fences this side only; returns the value to sleep on. The caller re-checks its
    /// condition next, and sleeps at most <see cref="UnfencedSliceNs"/> before it fences for the publishers too.
    /// </summary>
    public static int ArmLocally(nint word)
    {
        int value = SetParkedBit(word);
        Interlocked.MemoryBarrier();
        return value;
    }

    /// <summary>Sets the parked bit of <paramref name="word"/> (no fence of its own); returns the value to sleep on.</summary>
    public static unsafe int SetParkedBit(nint word)
    {
        int value = Volatile.Read(ref *(int*)word);
        while ((value & 1) == 0)
        {
            int seen = Interlocked.CompareExchange(ref *(int*)word, value | 1, value);
            if (seen == value)
            {
                value |= 1;
                break;
            }

            value = seen;
        }

        return value;
    }

    /// <summary>The CLOCK_MONOTONIC deadline of a wait of <paramref name="timeout"/> (Infinite: effectively never).</summary>
    public static long DeadlineOf(TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return long.MaxValue / 2; // far enough to mean "never", near enough that adding a slice cannot overflow
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero, nameof(timeout));
        return MonotonicClock.NowNs + (long)Math.Min(timeout.TotalNanoseconds, long.MaxValue / 2);
    }

    /// <summary>A parked async wait's slice check over its one condition.</summary>
    private sealed class ConditionSliceCheck<TCondition>(TCondition condition) : LateFenceSliceCheck
        where TCondition : struct, IWaitCondition
    {
        protected override bool IsSatisfied() => condition.IsSatisfied();

        protected override void ReclaimFromDeadPeers() => condition.ReclaimFromDeadPeers();
    }
}
