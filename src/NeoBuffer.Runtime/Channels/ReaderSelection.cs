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
                    entries[i] = new Futex.WaitV((int*)readers[i].WakeWord, RingWait.SetParkedBit(readers[i].WakeWord));
                }

                RingWait.FenceBeforeRecheck();

                ready = FirstReady(readers);
                if (ready >= 0)
                {
                    return ready;
                }

                if (MonotonicClock.NowNs >= deadline)
                {
                    throw TimedOut(timeout);
                }

                CountParkedOnce(readers, ref parked);
                long slice = Math.Min(deadline, MonotonicClock.NowNs + RingWait.PeerCheckIntervalNs);
                fixed (Futex.WaitV* waits = entries)
                {
                    Futex.Timespec limit = Futex.Timespec.FromNanoseconds(slice);
                    if (Futex.WaitAny(waits, entries.Length, &limit) == -1)
                    {
                        CheckPeers(readers);
                    }
                }
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

                RingWait.FenceBeforeRecheck();

                ready = FirstReady(readers);
                if (ready >= 0)
                {
                    return ready;
                }

                CountParkedOnce(readers, ref parked);
                if (await FutexWaitEngine.Shared.WaitAnyAsync(words, deadline, cancellationToken, sliceCheck).ConfigureAwait(false) < 0)
                {
                    throw TimedOut(timeout);
                }
            }
        }
        finally
        {
            ReleaseAll(readers);
        }
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
    private static void CheckPeers(IReadOnlyList<SharedChannelReader> readers)
    {
        foreach (SharedChannelReader reader in readers)
        {
            reader.CheckPeers();
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

    // Each wait holds every mapping, so a reader disposed meanwhile is unmapped only once the wait returns.
    private static void AddRefAll(IReadOnlyList<SharedChannelReader> readers)
    {
        for (int i = 0; i < readers.Count; i++)
        {
            bool added = false;
            try
            {
                readers[i].Mapping.DangerousAddRef(ref added);
            }
            catch
            {
                for (int j = 0; j < i; j++)
                {
                    readers[j].Mapping.DangerousRelease();
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
        }
    }

    private static TimeoutException TimedOut(TimeSpan timeout) => new($"None of the channels had a message within {timeout.TotalMilliseconds:0.###} ms.");

    /// <summary>An async selection's per-slice check, run by the futex waiter thread (see <see cref="ISliceCheck"/>).</summary>
    private sealed class SelectionSliceCheck(IReadOnlyList<SharedChannelReader> readers) : ISliceCheck
    {
        public bool IsDone()
        {
            if (FirstReady(readers) >= 0)
            {
                return true;
            }

            CheckPeers(readers);
            return FirstReady(readers) >= 0;
        }
    }
}
