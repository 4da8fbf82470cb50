using System;
using System.Collections.Concurrent;
using System.Threading;
using NeoBuffer.Requests;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// A client's free request slots: one popper (the send gate's holder) and pushers on any thread. No index is handed out
/// twice, and none is lost.
/// </summary>
public sealed class FreeSlotListTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public void Indices_come_out_lowest_first_and_the_last_pushed_comes_out_next()
    {
        var list = new FreeSlotList(3);
        Assert.Equal(3, list.Count);
        Assert.Equal(0, list.Pop());
        Assert.Equal(1, list.Pop());
        Assert.Equal(2, list.Pop());
        Assert.Equal(0, list.Count);
        Assert.Throws<InvalidOperationException>(() => list.Pop());

        list.Push(1);
        Assert.Throws<InvalidOperationException>(() => list.Push(1));
        list.Push(2);
        Assert.Equal(2, list.Pop());
        Assert.Equal(1, list.Pop());
    }

    [Fact]
    public void One_popper_and_two_pushers_never_hand_out_an_index_that_is_out()
    {
        const int Slots = 8;
        const int Rounds = 200_000;
        var list = new FreeSlotList(Slots);
        var held = new int[Slots];
        using var toPushers = new BlockingCollection<int>();
        int twice = 0;
        Exception? pusherFailure = null;

        // Background threads that catch what they throw: a failure fails this test, never the test host.
        var pushers = new Thread[2];
        for (int p = 0; p < pushers.Length; p++)
        {
            pushers[p] = new Thread(() =>
            {
                try
                {
                    foreach (int index in toPushers.GetConsumingEnumerable())
                    {
                        Volatile.Write(ref held[index], 0);
                        list.Push(index);
                    }
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref pusherFailure, e, null);
                }
            })
            {
                IsBackground = true,
            };
            pushers[p].Start();
        }

        try
        {
            PopAndHandOver(list, held, toPushers, Rounds, ref twice);
        }
        finally
        {
            toPushers.CompleteAdding(); // the pushers end even when the popper failed
        }

        foreach (Thread pusher in pushers)
        {
            Assert.True(pusher.Join(Bound), "a pusher did not finish");
        }

        Assert.Null(pusherFailure);
        Assert.Equal(0, twice);
        Assert.Equal(Slots, list.Count);
        var seen = new bool[Slots];
        for (int i = 0; i < Slots; i++)
        {
            int index = list.Pop();
            Assert.False(seen[index], $"index {index} was in the list twice");
            seen[index] = true;
        }
    }

    // The one popper: takes an index, notes it out (counting one that was out already) and hands it to the pushers.
    private static void PopAndHandOver(FreeSlotList list, int[] held, BlockingCollection<int> toPushers, int rounds, ref int twice)
    {
        var deadline = Deadline.In(Bound, "the popper");
        for (int round = 0; round < rounds; round++)
        {
            int index;
            while (true)
            {
                try
                {
                    index = list.Pop();
                    break;
                }
                catch (InvalidOperationException)
                {
                    _ = deadline.Remaining; // all out with the pushers: wait for one to come back
                    Thread.Yield();
                }
            }

            if (Interlocked.Exchange(ref held[index], 1) != 0)
            {
                twice++;
            }

            toPushers.Add(index);
        }
    }
}
