using System;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Interop;
using NeoBuffer.Ring;
using NeoBuffer.Segments;

namespace NeoBuffer.Waiting;

/// <summary>
/// The one place a channel side waits for its peer, and a thread for any of many readers: spin briefly, then park on
/// the wake words in shared memory (<see cref="WakeWords"/>: the side's one word, or one per reader), until one condition
/// holds.
/// <para>
/// Parking protocol (docs/format.md, "Waking"). A wake word is an event count: bit 0 says "someone is parked or about
/// to park", the other bits count wake-ups. The waiter sets bit 0 with a fence of its own (remembering the value it
/// armed), re-checks its condition, and only then sleeps with FUTEX_WAIT(word, armed) (futex_waitv over several words), for at most
/// <see cref="UnfencedSliceNs"/> before it fences for the publishers too (<see cref="Publication"/>). The peer
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
    /// Blocks one endpoint until the condition holds; false when <paramref name="timeout"/> passed first. Holds a
    /// reference on the mapping throughout, so a dispose on another thread wakes the wait instead of unmapping memory
    /// under it.
    /// </summary>
    public static bool Block<TCondition>(TCondition condition, nint word, SegmentMapping mapping, int spinCount, TimeSpan timeout, CancellationToken cancellationToken)
        where TCondition : IWaitCondition
    {
        long deadline = DeadlineOf(timeout);
        bool added = false;
        mapping.DangerousAddRef(ref added);
        try
        {
            var words = new WakeWords(word);
            return Block(condition, ref words, spinCount, deadline, cancellationToken);
        }
        finally
        {
            mapping.DangerousRelease();
        }
    }

    /// <summary>
    /// The one blocking wait loop, over one wake word or many: spins <paramref name="spinCount"/> times, then arms
    /// every word, re-checks the condition and sleeps until a word is woken, in slices (the first unfenced, see
    /// <see cref="PublisherFence"/>), looking for dead peers after each quiet one. False when the deadline
    /// (CLOCK_MONOTONIC, <see cref="DeadlineOf"/>) passed first. The caller keeps every word mapped.
    /// </summary>
    public static bool Block<TCondition>(TCondition condition, ref WakeWords words, int spinCount, long deadline, CancellationToken cancellationToken)
        where TCondition : IWaitCondition
    {
        if (condition.IsSatisfied())
        {
            return true;
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (SpinUntil(condition, spinCount, deadline, cancellationToken))
        {
            return true;
        }

        cancellationToken.ThrowIfCancellationRequested(); // the spin may have ended for it: no need to arm anything

        using CancellationTokenRegistration registration = cancellationToken.UnsafeRegister(static state => WakeWord((nint)state!), words.First);
        bool parked = false;
        ProtocolPoint.Reached(ProtocolPoint.WaitArming);
        words.ArmLocally();
        var fence = default(PublisherFence);
        while (true)
        {
            if (condition.IsSatisfied())
            {
                return true;
            }

            cancellationToken.ThrowIfCancellationRequested();
            long now = MonotonicClock.NowNs;
            long remaining = deadline - now;
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

            if (!words.Sleep(now, Math.Min(remaining, fence.SliceNs)))
            {
                if (!fence.MakeOnce())
                {
                    condition.ReclaimFromDeadPeers();
                }

                if (words.AreUnchanged())
                {
                    // Nobody woke a word since it was armed, so the arming still stands: an idle slice costs
                    // a plain re-check (and the peer check), not a CAS and a barrier.
                    continue;
                }
            }

            words.ArmLocally();
            fence.Rearmed();
        }
    }

    /// <summary>
    /// Spins <paramref name="spinCount"/> rounds (<see cref="SpinPoll"/>); true as soon as the condition holds. Stops
    /// early (false) once the token is cancelled or the deadline has passed, looked at before each yield (every few
    /// microseconds): the caller's wait then ends as it would parked, however long a spin it was given.
    /// </summary>
    private static bool SpinUntil<TCondition>(TCondition condition, int spinCount, long deadline, CancellationToken cancellationToken)
        where TCondition : IWaitCondition
    {
        for (long check = 1, checks = SpinPoll.Checks(spinCount); check <= checks; check++)
        {
            if (SpinPoll.Yields(check) && (cancellationToken.IsCancellationRequested || MonotonicClock.NowNs >= deadline))
            {
                return false;
            }

            SpinPoll.Pause(check);
            if (condition.IsSatisfied())
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Waits without blocking a thread: the process's futex waiter thread parks for it.</summary>
    public static ValueTask<bool> WaitAsync<TCondition>(TCondition condition, nint word, SegmentMapping mapping, int spinCount, TimeSpan timeout, CancellationToken cancellationToken)
        where TCondition : IWaitCondition
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
            if (SpinUntil(condition, spinCount / 16, deadline, cancellationToken))
            {
                return new ValueTask<bool>(true);
            }

            parked = true;
            return ParkAsync(condition, new WakeWords(word), deadline, cancellationToken, mapping);
        }
        finally
        {
            if (!parked)
            {
                mapping.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// The one parked async wait loop, over one wake word or many: arms every word, re-checks the condition, and hands
    /// the words to the futex waiter thread, which fences for publishers and looks for dead peers slice by slice.
    /// False when the deadline passed first. Releases <paramref name="heldMapping"/>, a reference the caller took for
    /// the wait, when it ends; the caller keeps every word mapped. With <paramref name="continueOnWaiterThread"/>, the
    /// caller's continuation runs on the waiter thread (<see cref="FutexWaitEngine.WaitAnyAsync"/>).
    /// </summary>
    public static async ValueTask<bool> ParkAsync<TCondition>(TCondition condition, WakeWords words, long deadline, CancellationToken cancellationToken, SegmentMapping? heldMapping = null, bool continueOnWaiterThread = false)
        where TCondition : IWaitCondition
    {
        try
        {
            bool countedParking = false;
            var sliceCheck = new ConditionSliceCheck<TCondition>(condition);
            while (true)
            {
                words.ArmLocally();
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
                if (await FutexWaitEngine.Shared.WaitAnyAsync(words.Armed(), deadline, cancellationToken, sliceCheck, continueOnWaiterThread).ConfigureAwait(false) < 0)
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
            heldMapping?.DangerousRelease();
        }
    }

    /// <summary>
    /// The publisher's half: after publishing progress (see <see cref="Publication"/> for the ordering), wakes the
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
    /// Refuses a timeout <see cref="DeadlineOf"/> cannot take: negative, other than <see cref="Timeout.InfiniteTimeSpan"/>.
    /// For callers that must refuse it before they act (a request, before it is sent).
    /// </summary>
    public static void ThrowIfInvalidTimeout(TimeSpan timeout)
    {
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be Timeout.InfiniteTimeSpan or not negative.");
        }
    }

    /// <summary>The CLOCK_MONOTONIC deadline of a wait of <paramref name="timeout"/> (Infinite: effectively never).</summary>
    public static long DeadlineOf(TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return long.MaxValue / 2; // far enough to mean "never", near enough that adding a slice cannot overflow
        }

        ThrowIfInvalidTimeout(timeout);
        return MonotonicClock.NowNs + (long)Math.Min(timeout.TotalNanoseconds, long.MaxValue / 2);
    }

    /// <summary>A parked async wait's slice check over its one condition.</summary>
    private sealed class ConditionSliceCheck<TCondition>(TCondition condition) : LateFenceSliceCheck
        where TCondition : IWaitCondition
    {
        protected override bool IsSatisfied() => condition.IsSatisfied();

        protected override void ReclaimFromDeadPeers() => condition.ReclaimFromDeadPeers();
    }
}
