using System;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Ring;
using NeoBuffer.Waiting;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// The semaphore behind a client's send gate and a server's reply gates: permits taken without a
/// lock when free, sleepers woken by the permit a release hands over, and no permit lost when a sleeper leaves without
/// taking the one handed to it.
/// </summary>
public sealed class FastPathSemaphoreTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public void Permits_are_taken_until_none_is_left_and_each_release_gives_one_back()
    {
        var semaphore = new FastPathSemaphore(2);

        Assert.True(semaphore.TryWait());
        Assert.True(semaphore.TryWait());
        Assert.False(semaphore.TryWait());
        Assert.False(semaphore.Wait(TimeSpan.Zero));
        Assert.Equal(0, semaphore.CurrentCount);

        semaphore.Release();
        Assert.Equal(1, semaphore.CurrentCount);
        Assert.True(semaphore.Wait(TimeSpan.Zero));
    }

    [Fact]
    public async Task A_blocking_sleeper_is_woken_by_a_release_with_the_permit_handed_to_it()
    {
        var semaphore = new FastPathSemaphore(0, 1);
        Task<bool> sleeper = Task.Factory.StartNew(() => semaphore.Wait(Bound), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        WaitUntilSleeping(semaphore);

        semaphore.Release();

        Assert.True(await sleeper.WaitAsync(Bound), "the sleeper was woken without a permit");
        Assert.Equal(0, semaphore.CurrentCount);
        Assert.Equal(0, semaphore.Sleepers);
    }

    [Fact]
    public async Task An_async_sleeper_is_woken_by_a_release_with_the_permit_handed_to_it()
    {
        var semaphore = new FastPathSemaphore(0, 1);
        Task<bool> sleeper = semaphore.WaitAsync(Bound);
        Assert.False(sleeper.IsCompleted);
        WaitUntilSleeping(semaphore);

        semaphore.Release();

        Assert.True(await sleeper.WaitAsync(Bound));
        Assert.Equal(0, semaphore.CurrentCount);
    }

    [Fact]
    public void A_permit_handed_to_a_sleeper_that_timed_out_is_taken_by_the_next_caller()
    {
        // The release lands while the timed-out sleeper is still counted: it moves the permit to the sleepers' side,
        // where nobody waits any more. A TryWait that looked only at the free count would never find it again.
        var semaphore = new FastPathSemaphore(0, 1);
        bool released = false;
        using (ProtocolPoint.OnThisThread(name =>
        {
            if (name == ProtocolPoint.SemaphoreSleeperLeaving && !released)
            {
                released = true;
                semaphore.Release();
            }
        }))
        {
            Assert.False(semaphore.Wait(TimeSpan.FromMilliseconds(1)));
        }

        Assert.True(released, "the sleeper never reached its leaving point");
        Assert.Equal(1, semaphore.CurrentCount);
        Assert.True(semaphore.TryWait(), "the permit handed to the sleeper that left was lost");
        Assert.False(semaphore.TryWait());
    }

    [Fact]
    public void A_release_of_a_permit_never_taken_throws_and_changes_nothing()
    {
        var semaphore = new FastPathSemaphore(1);
        Assert.Throws<SemaphoreFullException>(semaphore.Release);
        Assert.True(semaphore.TryWait());
        Assert.False(semaphore.TryWait());
    }

    [Fact]
    public void An_invalid_timeout_is_refused_whether_or_not_a_permit_is_free()
    {
        var semaphore = new FastPathSemaphore(1);
        TimeSpan invalid = TimeSpan.FromMilliseconds(-5);
        Assert.Throws<ArgumentOutOfRangeException>(() => semaphore.Wait(invalid));
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = semaphore.WaitAsync(invalid); });
        Assert.Equal(1, semaphore.CurrentCount);

        // Longer than int.MaxValue milliseconds is a valid timeout, as SemaphoreSlim takes it.
        Assert.True(semaphore.Wait(TimeSpan.MaxValue));
        semaphore.Release();
    }

    [Fact]
    public void A_cancelled_wait_throws_and_takes_nothing()
    {
        var semaphore = new FastPathSemaphore(1);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.Throws<OperationCanceledException>(() => semaphore.Wait(Bound, cancelled.Token));
        Assert.True(semaphore.WaitAsync(Bound, cancelled.Token).IsCanceled);
        Assert.Equal(1, semaphore.CurrentCount);
    }

    [Fact]
    public void Under_contention_every_permit_is_held_by_at_most_its_count_of_holders_and_all_come_back()
    {
        // Four threads on two permits, half of them waiting with short timeouts (leaving as releases land): the number of
        // holders never exceeds the count, and every permit is back at the end.
        const int Permits = 2;
        var semaphore = new FastPathSemaphore(Permits);
        int holders = 0;
        int worst = 0;
        long taken = 0;
        Exception? failure = null;
        var threads = new Thread[4];
        for (int t = 0; t < threads.Length; t++)
        {
            bool timed = t % 2 == 0;
            threads[t] = new Thread(() =>
            {
                try
                {
                    var deadline = Deadline.In(Bound, "the contended semaphore's workers");
                    for (int i = 0; i < 20_000; i++)
                    {
                        if (!semaphore.Wait(timed ? TimeSpan.FromMilliseconds(1) : deadline.Remaining))
                        {
                            _ = deadline.Remaining;
                            continue;
                        }

                        int now = Interlocked.Increment(ref holders);
                        InterlockedMax(ref worst, now);
                        Interlocked.Increment(ref taken);
                        Thread.SpinWait(20);
                        Interlocked.Decrement(ref holders);
                        semaphore.Release();
                    }
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref failure, e, null);
                }
            });
            threads[t].Start();
        }

        foreach (Thread thread in threads)
        {
            Assert.True(thread.Join(Bound + Bound), "a worker did not finish");
        }

        Assert.Null(failure);
        Assert.InRange(worst, 1, Permits);
        Assert.True(taken > 0);
        Assert.Equal(Permits, semaphore.CurrentCount);
        Assert.True(semaphore.TryWait());
        Assert.True(semaphore.TryWait());
        Assert.False(semaphore.TryWait());
    }

    private static void WaitUntilSleeping(FastPathSemaphore semaphore)
    {
        var deadline = Deadline.In(Bound, "the sleeper to count itself");
        while (semaphore.Sleepers == 0)
        {
            _ = deadline.Remaining;
            Thread.Yield();
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen = Volatile.Read(ref target);
        while (value > seen)
        {
            int was = Interlocked.CompareExchange(ref target, value, seen);
            if (was == seen)
            {
                return;
            }

            seen = was;
        }
    }
}
