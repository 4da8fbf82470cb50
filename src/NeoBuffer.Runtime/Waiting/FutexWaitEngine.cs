using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Interop;

namespace NeoBuffer.Waiting;

/// <summary>
/// The one background thread per process that parks on behalf of every async wait: it sleeps in futex_waitv on all
/// the words being awaited (up to 127 at once per thread; more threads start only past that) and completes each
/// wait's task when its word changes, its deadline passes, or it is cancelled. Thread-pool threads never block.
/// </summary>
internal sealed unsafe class FutexWaitEngine
{
    private const int MaxWordsPerThread = 127; // futex_waitv takes 128; one is this thread's own doorbell

    private static readonly Lazy<FutexWaitEngine> s_shared = new(() => new FutexWaitEngine(), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly object _gate = new();
    private readonly List<Worker> _workers = new();

    public static FutexWaitEngine Shared => s_shared.Value;

    /// <summary>
    /// Completes with true when <c>*word != expected</c> or someone wakes the word, false when
    /// <paramref name="deadlineNs"/> (CLOCK_MONOTONIC; long.MaxValue for none) passes first; cancelled by
    /// <paramref name="cancellationToken"/>. The caller must keep the word mapped until the task completes.
    /// </summary>
    public Task<bool> WaitAsync(nint word, int expected, long deadlineNs, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<bool>(cancellationToken);
        }

        var wait = new PendingWait((int*)word, expected, deadlineNs);
        Worker worker;
        lock (_gate)
        {
            worker = _workers.Find(w => w.HasRoom) ?? StartWorker();
            worker.Add(wait);
        }

        if (cancellationToken.CanBeCanceled)
        {
            wait.Registration = cancellationToken.UnsafeRegister(static (state, token) =>
            {
                var (w, pending) = ((Worker, PendingWait))state!;
                if (w.Remove(pending))
                {
                    pending.Completion.TrySetCanceled(token);
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

    private sealed class PendingWait(int* word, int expected, long deadlineNs)
    {
        public readonly int* Word = word;
        public readonly int Expected = expected;
        public readonly long DeadlineNs = deadlineNs;
        public readonly TaskCompletionSource<bool> Completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public CancellationTokenRegistration Registration;
    }

    private sealed class Worker
    {
        private readonly List<PendingWait> _waits = new();
        private readonly int* _doorbell = (int*)System.Runtime.InteropServices.NativeMemory.AllocZeroed(sizeof(int));

        public bool HasRoom
        {
            get
            {
                lock (_waits)
                {
                    return _waits.Count < MaxWordsPerThread;
                }
            }
        }

        public void Add(PendingWait wait)
        {
            lock (_waits)
            {
                _waits.Add(wait);
            }

            Ring();
        }

        public bool Remove(PendingWait wait)
        {
            bool removed;
            lock (_waits)
            {
                removed = _waits.Remove(wait);
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
            var entries = new Futex.WaitV[MaxWordsPerThread + 1];
            var completed = new List<(PendingWait Wait, bool Result)>();
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
                        if (Volatile.Read(ref *wait.Word) != wait.Expected || wait.DeadlineNs <= now)
                        {
                            completed.Add((wait, wait.DeadlineNs > now || Volatile.Read(ref *wait.Word) != wait.Expected));
                            _waits.RemoveAt(i);
                            continue;
                        }

                        entries[count++] = new Futex.WaitV(wait.Word, wait.Expected);
                        nearestDeadline = Math.Min(nearestDeadline, wait.DeadlineNs);
                    }
                }

                foreach ((PendingWait wait, bool result) in completed)
                {
                    // Completed first: a registration assigned after this is then disposed by WaitAsync itself.
                    wait.Completion.TrySetResult(result);
                    wait.Registration.Dispose();
                }

                completed.Clear();
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
        }
    }
}
