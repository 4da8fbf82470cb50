using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Interop;

namespace NeoBuffer.Waiting;

/// <summary>
/// The one background thread per process that parks on behalf of every async wait: it sleeps in futex_waitv on all
/// the words being awaited (up to 127 at once per thread; more threads start only past that) and completes each
/// wait's task when one of its words changes, its deadline passes, or it is cancelled. Thread-pool threads never block.
/// <para>
/// A wait may carry an <see cref="ISliceCheck"/>, which the thread runs between sleeps (outside the lock that guards
/// the wait set, so a slow check delays no registration). The check runs under the wait's own lock, which cancellation
/// takes too before it completes the task: the owner never gets its endpoint back while a check is using it.
/// </para>
/// </summary>
internal sealed unsafe class FutexWaitEngine
{
    /// <summary>futex_waitv takes 128 words; one is each thread's own doorbell.</summary>
    public const int MaxWordsPerThread = 127;

    private static readonly Lazy<FutexWaitEngine> s_shared = new(() => new FutexWaitEngine(), LazyThreadSafetyMode.ExecutionAndPublication);

    [ThreadStatic]
    private static bool t_isWaiterThread;

    private readonly object _gate = new();
    private readonly List<Worker> _workers = new();

    /// <summary>Whether the calling thread is one of the waiter threads (code running here holds up every async wait).</summary>
    public static bool IsWaiterThread => t_isWaiterThread;

    public static FutexWaitEngine Shared => s_shared.Value;

    /// <summary>
    /// Completes with the index of the first of <paramref name="words"/> found no longer holding its expected value
    /// (a wake always changes the word), or -1 when <paramref name="deadlineNs"/> (CLOCK_MONOTONIC; long.MaxValue for
    /// none) passes first; cancelled by <paramref name="cancellationToken"/>. The caller keeps the words mapped until
    /// the task completes. With <paramref name="sliceCheck"/>, the waiter thread runs it after
    /// <see cref="RingWait.UnfencedSliceNs"/> and then every <see cref="RingWait.PeerCheckIntervalNs"/> while the wait lasts: the wait completes with 0 when it says so, and
    /// with its exception when it throws.
    /// <para>
    /// With <paramref name="continueOnWaiterThread"/>, the task's continuations run synchronously on the thread that
    /// completes it (the waiter thread, or a cancelling one) instead of on the thread pool: for a caller whose
    /// continuation is short and never blocks (a loop that drains a ring and parks again), saving a thread-pool hop
    /// per wake. Every other wait in the process waits while it runs.
    /// </para>
    /// </summary>
    public Task<int> WaitAnyAsync((nint Word, int Expected)[] words, long deadlineNs, CancellationToken cancellationToken, ISliceCheck? sliceCheck = null, bool continueOnWaiterThread = false)
    {
        if (words.Length is 0 or > MaxWordsPerThread)
        {
            throw new ArgumentOutOfRangeException(nameof(words), words.Length, $"An async wait covers 1 to {MaxWordsPerThread} wake words.");
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<int>(cancellationToken);
        }

        var wait = new PendingWait(words, deadlineNs, sliceCheck, continueOnWaiterThread);
        Worker worker;
        lock (_gate)
        {
            worker = _workers.Find(w => w.HasRoomFor(words.Length)) ?? StartWorker();
            worker.Add(wait);
        }

        if (cancellationToken.CanBeCanceled)
        {
            wait.Registration = cancellationToken.UnsafeRegister(static (state, token) =>
            {
                var (w, pending) = ((Worker, PendingWait))state!;
                if (w.Remove(pending))
                {
                    lock (pending)
                    {
                        pending.Completion.TrySetCanceled(token);
                    }
                }
            }, (worker, wait));

            // The worker may have finished the wait before the registration existed to be disposed by it.
            if (wait.Completion.Task.IsCompleted)
            {
                wait.Registration.Dispose();
            }
        }

        return wait.Completion.Task;
    }

    private Worker StartWorker()
    {
        var worker = new Worker();
        _workers.Add(worker);
        var thread = new Thread(worker.Run) { IsBackground = true, Name = "NeoBuffer futex waiter" };
        thread.Start();
        return worker;
    }

    private sealed class PendingWait((nint Word, int Expected)[] words, long deadlineNs, ISliceCheck? sliceCheck, bool continueOnWaiterThread)
    {
        public readonly (nint Word, int Expected)[] Words = words;
        public readonly long DeadlineNs = deadlineNs;
        public readonly ISliceCheck? SliceCheck = sliceCheck;
        public long NextCheckNs = sliceCheck is null ? long.MaxValue : MonotonicClock.NowNs + RingWait.UnfencedSliceNs;
        public readonly TaskCompletionSource<int> Completion = new(continueOnWaiterThread ? TaskCreationOptions.None : TaskCreationOptions.RunContinuationsAsynchronously);
        public CancellationTokenRegistration Registration;

        /// <summary>The index of the first word that changed, or -1.</summary>
        public int Changed()
        {
            for (int i = 0; i < Words.Length; i++)
            {
                if (Volatile.Read(ref *(int*)Words[i].Word) != Words[i].Expected)
                {
                    return i;
                }
            }

            return -1;
        }
    }

    private sealed class Worker
    {
        private readonly List<PendingWait> _waits = new();
        private readonly int* _doorbell = (int*)System.Runtime.InteropServices.NativeMemory.AllocZeroed(sizeof(int));
        private int _words;

        public bool HasRoomFor(int words)
        {
            lock (_waits)
            {
                return _words + words <= MaxWordsPerThread;
            }
        }

        public void Add(PendingWait wait)
        {
            lock (_waits)
            {
                _waits.Add(wait);
                _words += wait.Words.Length;
            }

            Ring();
        }

        public bool Remove(PendingWait wait)
        {
            bool removed;
            lock (_waits)
            {
                removed = _waits.Remove(wait);
                _words -= removed ? wait.Words.Length : 0;
            }

            if (removed)
            {
                Ring();
            }

            return removed;
        }

        // The doorbell is a process-private word; bumping it makes the thread rebuild its wait set.
        private void Ring()
        {
            Interlocked.Increment(ref *_doorbell);
            Futex.WakeAll(_doorbell);
        }

        public void Run()
        {
            t_isWaiterThread = true;
            var entries = new Futex.WaitV[MaxWordsPerThread + 1];
            var completed = new List<(PendingWait Wait, int Result)>();
            var due = new List<PendingWait>();
            while (true)
            {
                long nearestDeadline = long.MaxValue;
                int count;
                lock (_waits)
                {
                    entries[0] = new Futex.WaitV(_doorbell, Volatile.Read(ref *_doorbell));
                    count = 1;
                    long now = MonotonicClock.NowNs;
                    for (int i = _waits.Count - 1; i >= 0; i--)
                    {
                        PendingWait wait = _waits[i];
                        int changed = wait.Changed();
                        if (changed >= 0 || wait.DeadlineNs <= now)
                        {
                            completed.Add((wait, changed));
                            _waits.RemoveAt(i);
                            _words -= wait.Words.Length;
                            continue;
                        }

                        if (wait.NextCheckNs <= now)
                        {
                            due.Add(wait);
                            wait.NextCheckNs = now + RingWait.PeerCheckIntervalNs;
                        }

                        foreach ((nint word, int expected) in wait.Words)
                        {
                            entries[count++] = new Futex.WaitV((int*)word, expected);
                        }

                        nearestDeadline = Math.Min(nearestDeadline, Math.Min(wait.DeadlineNs, wait.NextCheckNs));
                    }
                }

                foreach ((PendingWait wait, int result) in completed)
                {
                    // Completed first: a registration assigned after this is then disposed by WaitAnyAsync itself.
                    wait.Completion.TrySetResult(result);
                    wait.Registration.Dispose();
                }

                completed.Clear();
                if (due.Count > 0)
                {
                    RunChecks(due);
                    due.Clear();
                    continue; // a check may have ended waits: rebuild the set before sleeping
                }

                try
                {
                    fixed (Futex.WaitV* waits = entries)
                    {
                        if (nearestDeadline == long.MaxValue)
                        {
                            Futex.WaitAny(waits, count, null);
                        }
                        else
                        {
                            Futex.Timespec deadline = Futex.Timespec.FromNanoseconds(nearestDeadline);
                            Futex.WaitAny(waits, count, &deadline);
                        }
                    }
                }
                catch (Exception error)
                {
                    // This thread must outlive a failing system call (futex_waitv missing, say): the waits fail instead.
                    FailAll(error);
                }
            }
        }

        private void RunChecks(List<PendingWait> due)
        {
            foreach (PendingWait wait in due)
            {
                bool done;
                Exception? failure = null;
                lock (wait)
                {
                    if (wait.Completion.Task.IsCompleted)
                    {
                        continue; // cancelled meanwhile
                    }

                    try
                    {
                        done = wait.SliceCheck!.IsDone();
                    }
                    catch (Exception error)
                    {
                        done = true;
                        failure = error;
                    }

                    if (done && Remove(wait))
                    {
                        if (failure is null)
                        {
                            wait.Completion.TrySetResult(0);
                        }
                        else
                        {
                            wait.Completion.TrySetException(failure);
                        }
                    }
                }

                if (done)
                {
                    wait.Registration.Dispose();
                }
            }
        }

        private void FailAll(Exception error)
        {
            List<PendingWait> failed;
            lock (_waits)
            {
                failed = new List<PendingWait>(_waits);
                _waits.Clear();
                _words = 0;
            }

            foreach (PendingWait wait in failed)
            {
                lock (wait)
                {
                    wait.Completion.TrySetException(error);
                }

                wait.Registration.Dispose();
            }
        }
    }
}
