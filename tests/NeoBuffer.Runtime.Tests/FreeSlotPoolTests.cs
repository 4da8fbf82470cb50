using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Requests;
using NeoBuffer.Ring;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// A client's free request slots, which are also its in-flight permits: taken and given back by any thread. No index is
/// handed out twice, none is lost, and a taker that waits is handed one as soon as one is given back.
/// </summary>
public sealed class FreeSlotPoolTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public void Indices_come_out_lowest_first_and_the_last_given_back_comes_out_next()
    {
        var pool = new FreeSlotPool(3);
        Assert.Equal(3, pool.Count);
        Assert.Equal(0, Take(pool));
        Assert.Equal(1, Take(pool));
        Assert.Equal(2, Take(pool));
        Assert.Equal(0, pool.Count);
        Assert.False(pool.TryTake(out _));

        pool.Give(1);
        Assert.Throws<InvalidOperationException>(() => pool.Give(1));
        pool.Give(2);
        Assert.Equal(2, Take(pool));
        Assert.Equal(1, Take(pool));
    }

    /// <summary>
    /// The ABA case, constructed: a take reads the top (0) and its next (1); before its CAS, another thread takes 0 and
    /// 1 and gives 0 back, so the top is 0 again but its next is 2. A CAS on the top index alone would succeed and put
    /// 1, which is out, back on top: handed out twice. The tag makes it fail and read again.
    /// </summary>
    [Fact]
    public void A_take_whose_top_was_taken_and_given_back_meanwhile_reads_again_instead_of_handing_out_a_taken_index()
    {
        var pool = new FreeSlotPool(3);
        int interleaved = 0;
        int[] others = new int[2];
        int taken;
        using (ProtocolPoint.OnThisThread(point =>
        {
            if (point == ProtocolPoint.SlotsPopping && Interlocked.Exchange(ref interleaved, 1) == 0)
            {
                // Another thread's moves, between this take's reads and its CAS (a thread of its own, so its own pops
                // reach no hook).
                var other = new Thread(() =>
                {
                    others[0] = Take(pool);
                    others[1] = Take(pool);
                    pool.Give(others[0]);
                });
                other.Start();
                Assert.True(other.Join(Bound));
            }
        }))
        {
            taken = Take(pool);
        }

        Assert.Equal(1, interleaved);
        Assert.Equal([0, 1], others);
        Assert.Equal(0, taken); // read again: the top was 0, given back
        Assert.Equal(2, Take(pool)); // then 2; 1 is still out
        Assert.False(pool.TryTake(out _));
    }

    /// <summary>
    /// A give that lands after a waiting taker's last look (constructed at slots.sleeping, on the taker's own thread)
    /// sees it counted and hands it an index, which its wait then finds; without the hand-over it would sleep until its
    /// timeout though an index is free.
    /// </summary>
    [Fact]
    public async Task A_give_that_lands_as_a_taker_goes_to_sleep_hands_it_the_index()
    {
        Assert.Equal(0, await TakeWithGiveAt(ProtocolPoint.SlotsSleeping, sleepers: 1, async: false));
        Assert.Equal(0, await TakeWithGiveAt(ProtocolPoint.SlotsSleeping, sleepers: 1, async: true));
    }

    /// <summary>
    /// A give that lands before a taker counts itself (constructed at slots.sleeper-counting) finds no sleeper and only
    /// pushes: the taker's look after counting itself must find the index, or it would sleep until its timeout.
    /// </summary>
    [Fact]
    public async Task A_give_that_lands_before_a_taker_counts_itself_is_found_by_its_look_after_counting()
    {
        Assert.Equal(0, await TakeWithGiveAt(ProtocolPoint.SlotsSleeperCounting, sleepers: 0, async: false));
        Assert.Equal(0, await TakeWithGiveAt(ProtocolPoint.SlotsSleeperCounting, sleepers: 0, async: true));
    }

    // A pool of one index, taken; then a take (blocking, or async: its part up to its first real wait runs on this
    // thread) during which the index is given back at `point`, where `sleepers` takers are counted. Returns the index
    // the take got (-1: it timed out), after checking that nothing is left counted or free.
    private static async Task<int> TakeWithGiveAt(string point, int sleepers, bool async)
    {
        var pool = new FreeSlotPool(1);
        Assert.Equal(0, Take(pool));
        Task<int> taking;
        using (ProtocolPoint.OnThisThread(reached =>
        {
            if (reached == point)
            {
                Assert.Equal(sleepers, pool.Sleepers);
                pool.Give(0);
            }
        }))
        {
            TimeSpan patience = TimeSpan.FromMilliseconds(200);
            taking = async ? pool.TakeAsync(patience, CancellationToken.None) : Task.FromResult(pool.Take(patience, CancellationToken.None, out int taken) ? taken : -1);
        }

        int index = await taking.WaitAsync(Bound); // outside the hook's scope, which belongs to this thread
        Assert.Equal(0, pool.Sleepers);
        Assert.Equal(0, pool.Count);
        return index;
    }

    [Fact]
    public async Task An_async_taker_times_out_or_is_cancelled_on_an_empty_pool_and_one_waiting_gets_the_index_given_back()
    {
        var pool = new FreeSlotPool(1);
        Assert.Equal(0, Take(pool));

        Assert.Equal(-1, await pool.TakeAsync(TimeSpan.FromMilliseconds(20), CancellationToken.None));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pool.TakeAsync(Bound, cancelled.Token));
        Assert.Equal(0, pool.Sleepers);

        Task<int> waiting = pool.TakeAsync(Bound, CancellationToken.None);
        pool.Give(0);
        Assert.Equal(0, await waiting.WaitAsync(Bound));
        Assert.Equal(0, pool.Count);
    }

    /// <summary>
    /// An index handed over to a sleeper that has stopped waiting (constructed: the give lands after the sleeper's wait
    /// timed out, while it is still counted) stays handed over, and the next taker finds it there though the stack is
    /// empty: not lost.
    /// </summary>
    [Fact]
    public void An_index_handed_over_to_a_sleeper_that_left_is_taken_by_the_next_taker()
    {
        var pool = new FreeSlotPool(1);
        Assert.Equal(0, Take(pool));

        bool took;
        int index;
        using (ProtocolPoint.OnThisThread(point =>
        {
            if (point == ProtocolPoint.SlotsSleeperLeaving)
            {
                Assert.Equal(1, pool.Sleepers);
                pool.Give(0); // sees the sleeper: hands it over
            }
        }))
        {
            took = pool.Take(TimeSpan.Zero, CancellationToken.None, out index);
        }

        Assert.False(took);
        Assert.Equal(0, pool.Sleepers);
        Assert.Equal(1, pool.Count);
        Assert.True(pool.TryTake(out index));
        Assert.Equal(0, index);
        Assert.Equal(0, pool.Count);
    }

    [Fact]
    public void Two_takers_and_two_givers_never_hand_out_an_index_that_is_out_and_lose_none()
    {
        const int Slots = 8;
        const int Rounds = 50_000;
        var pool = new FreeSlotPool(Slots);
        var held = new int[Slots];
        using var toGivers = new BlockingCollection<int>();
        int twice = 0;
        Exception? failure = null;

        // Background threads that catch what they throw: a failure fails this test, never the test host.
        Thread Start(Action body)
        {
            var thread = new Thread(() =>
            {
                try
                {
                    body();
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref failure, e, null);
                }
            })
            {
                IsBackground = true,
            };
            thread.Start();
            return thread;
        }

        Thread[] givers =
        [
            .. new[] { 0, 1 }.Select(_ => Start(() =>
            {
                foreach (int index in toGivers.GetConsumingEnumerable())
                {
                    Volatile.Write(ref held[index], 0);
                    pool.Give(index);
                }
            })),
        ];
        Thread[] takers =
        [
            .. new[] { 0, 1 }.Select(_ => Start(() =>
            {
                for (int round = 0; round < Rounds; round++)
                {
                    if (!pool.Take(Bound, CancellationToken.None, out int index))
                    {
                        throw new TimeoutException("no index came back");
                    }

                    if (Interlocked.Exchange(ref held[index], 1) != 0)
                    {
                        Interlocked.Increment(ref twice);
                    }

                    toGivers.Add(index);
                }
            })),
        ];

        foreach (Thread taker in takers)
        {
            Assert.True(taker.Join(Bound), "a taker did not finish");
        }

        toGivers.CompleteAdding();
        foreach (Thread giver in givers)
        {
            Assert.True(giver.Join(Bound), "a giver did not finish");
        }

        Assert.Null(failure);
        Assert.Equal(0, twice);
        Assert.Equal(Slots, pool.Count);
        var seen = new bool[Slots];
        for (int i = 0; i < Slots; i++)
        {
            int index = Take(pool);
            Assert.False(seen[index], $"index {index} was free twice");
            seen[index] = true;
        }
    }

    private static int Take(FreeSlotPool pool) => pool.TryTake(out int index) ? index : throw new InvalidOperationException("The pool is empty.");
}
