using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Interop;
using NeoBuffer.Waiting;

namespace NeoBuffer;

/// <summary>
/// Waits on many readers at once and returns one that is ready: the same arm-then-recheck protocol as a single wait
/// (see RingWait), over every reader's wake word in one futex_waitv, so a process reading many channels needs no
/// thread per channel. Sync waits park the calling thread; async ones hand the words to the process's futex waiter.
/// </summary>
internal static class ReaderSelection
{
    public static unsafe int WaitAny(IReadOnlyList<SharedChannelReader> readers, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Check(readers);
        long deadline = RingWait.DeadlineOf(timeout);
        AddRefAll(readers);
        try
        {
            using CancellationTokenRegistration registration = cancellationToken.UnsafeRegister(static state => RingWait.WakeWord((nint)state!), readers[0].WakeWord);
            var entries = new Futex.WaitV[readers.Count];
            bool isArmed = false;
            var fence = default(PublisherFence);
            bool parked = false;
            while (true)
            {
                int ready = FirstReady(readers);
                if (ready >= 0)
                {
                    return ready;
                }

                cancellationToken.ThrowIfCancellationRequested();
                if (!isArmed)
                {
                    // Armed with this side's fence only, then re-checked; the publishers' fence comes late, as in
                    // RingWait.Block, so a selection woken within the first slice never pays the global barrier.
                    for (int i = 0; i < readers.Count; i++)
                    {
                        entries[i] = new Futex.WaitV((int*)readers[i].WakeWord, RingWait.SetParkedBit(readers[i].WakeWord));
                    }

                    Interlocked.MemoryBarrier();
                    isArmed = true;
                    fence.Rearmed();
                    continue;
                }

                if (MonotonicClock.NowNs >= deadline)
                {
                    // One last look, fenced for publishers, before giving up (as RingWait.Block does).
                    if (fence.MakeOnce())
                    {
                        continue;
                    }

                    throw TimedOut(timeout);
                }

                CountParkedOnce(readers, ref parked);
                long slice = Math.Min(deadline, MonotonicClock.NowNs + fence.SliceNs);
                int woken;
                fixed (Futex.WaitV* waits = entries)
                {
                    Futex.Timespec limit = Futex.Timespec.FromNanoseconds(slice);
                    woken = Futex.WaitAny(waits, entries.Length, &limit);
                }

                if (woken == -1)
                {
                    if (!fence.MakeOnce())
                    {
                        ReclaimFromDeadPeers(readers);
                    }

                    if (Unchanged(entries))
                    {
                        continue; // the arming stands (see RingWait.Block, whose slices these mirror)
                    }
                }

                isArmed = false;
            }
        }
        finally
        {
            ReleaseAll(readers);
        }
    }

    public static async ValueTask<int> WaitAnyAsync(IReadOnlyList<SharedChannelReader> readers, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Check(readers);
        long deadline = RingWait.DeadlineOf(timeout);
        AddRefAll(readers);
        try
        {
            var words = new (nint Word, int Expected)[readers.Count];
            var sliceCheck = new SelectionSliceCheck(readers);
            bool parked = false;
            while (true)
            {
                int ready = FirstReady(readers);
                if (ready >= 0)
                {
                    return ready;
                }

                cancellationToken.ThrowIfCancellationRequested();
                for (int i = 0; i < readers.Count; i++)
                {
                    words[i] = (readers[i].WakeWord, RingWait.SetParkedBit(readers[i].WakeWord));
                }

                Interlocked.MemoryBarrier();
                sliceCheck.Rearmed();
                ready = FirstReady(readers);
                if (ready >= 0)
                {
                    return ready;
                }

                CountParkedOnce(readers, ref parked);
                if (await FutexWaitEngine.Shared.WaitAnyAsync(words, deadline, cancellationToken, sliceCheck).ConfigureAwait(false) < 0)
                {
                    // The deadline: one last look, fenced for publishers if the slice checks had not yet done it.
                    sliceCheck.FenceIfNotYet();
                    ready = FirstReady(readers);
                    return ready >= 0 ? ready : throw TimedOut(timeout);
                }
            }
        }
        finally
        {
            ReleaseAll(readers);
        }
    }

    // Whether every word still holds the value it was armed with: then nobody woke one, and the arming stands.
    private static unsafe bool Unchanged(Futex.WaitV[] entries)
    {
        foreach (Futex.WaitV entry in entries)
        {
            if (Volatile.Read(ref *(int*)entry.Address) != (int)entry.Value)
            {
                return false;
            }
        }

        return true;
    }

    // The wait parks on every reader's wake word, so each reader counts it as one of its parked waits; once per wait.
    private static void CountParkedOnce(IReadOnlyList<SharedChannelReader> readers, ref bool parked)
    {
        if (parked)
        {
            return;
        }

        parked = true;
        for (int i = 0; i < readers.Count; i++)
        {
            readers[i].CountParkedWait();
        }
    }

    // A dead writer cannot wake anyone: look for one each time a slice passes quietly (see RingWait).
    private static void ReclaimFromDeadPeers(IReadOnlyList<SharedChannelReader> readers)
    {
        foreach (SharedChannelReader reader in readers)
        {
            reader.ReclaimFromDeadPeers();
        }
    }

    private static int FirstReady(IReadOnlyList<SharedChannelReader> readers)
    {
        for (int i = 0; i < readers.Count; i++)
        {
            if (readers[i].IsReadyToRead)
            {
                return i;
            }
        }

        return -1;
    }

    private static void Check(IReadOnlyList<SharedChannelReader> readers)
    {
        ArgumentNullException.ThrowIfNull(readers);
        if (readers.Count is 0 or > FutexWaitEngine.MaxWordsPerThread)
        {
            throw new ArgumentOutOfRangeException(nameof(readers), readers.Count, $"Wait on 1 to {FutexWaitEngine.MaxWordsPerThread} readers at once.");
        }
    }

    // Each selection counts as a wait of every reader it covers (its readiness checks run their consumers' protocol,
    // which writes the ring) and holds every mapping: a reader disposed meanwhile keeps its role and stays mapped until
    // the selection returns.
    private static void AddRefAll(IReadOnlyList<SharedChannelReader> readers)
    {
        for (int i = 0; i < readers.Count; i++)
        {
            bool added = false;
            bool entered = false;
            try
            {
                readers[i].EnterWait();
                entered = true;
                readers[i].Mapping.DangerousAddRef(ref added);
            }
            catch
            {
                if (entered)
                {
                    readers[i].ExitWait();
                }

                for (int j = 0; j < i; j++)
                {
                    readers[j].Mapping.DangerousRelease();
                    readers[j].ExitWait();
                }

                throw;
            }
        }
    }

    private static void ReleaseAll(IReadOnlyList<SharedChannelReader> readers)
    {
        foreach (SharedChannelReader reader in readers)
        {
            reader.Mapping.DangerousRelease();
            reader.ExitWait();
        }
    }

    private static TimeoutException TimedOut(TimeSpan timeout) => new($"None of the channels had a message within {timeout.TotalMilliseconds:0.###} ms.");

    /// <summary>An async selection's slice check, run by the futex waiter thread.</summary>
    private sealed class SelectionSliceCheck(IReadOnlyList<SharedChannelReader> readers) : LateFenceSliceCheck
    {
        protected override bool IsSatisfied() => FirstReady(readers) >= 0;

        protected override void ReclaimFromDeadPeers() => ReaderSelection.ReclaimFromDeadPeers(readers);
    }
}
