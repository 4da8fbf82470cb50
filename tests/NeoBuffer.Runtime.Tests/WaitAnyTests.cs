using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>Waiting on many channels at once, sync and async, with one wait and no thread per channel.</summary>
public sealed class WaitAnyTests : IDisposable
{
    private readonly List<TestChannel> _channels = new();
    private readonly List<IDisposable> _endpoints = new();
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task WaitAnyAsync_returns_the_channel_that_got_a_message()
    {
        (List<SharedChannelWriter> writers, List<SharedChannelReader> readers) = Channels(10);
        ValueTask<int> wait = SharedChannel.WaitAnyAsync(readers, TimeSpan.FromSeconds(30));
        Assert.False(wait.IsCompleted);
        writers[7].TryWrite(1);
        Assert.Equal(7, await wait);
    }

    [Fact]
    public async Task WaitAny_blocks_one_thread_for_all_channels_and_wakes_for_any()
    {
        (List<SharedChannelWriter> writers, List<SharedChannelReader> readers) = Channels(5);
        Task<int> wait = Task.Factory.StartNew(() => SharedChannel.WaitAny(readers, TimeSpan.FromSeconds(30)), TaskCreationOptions.LongRunning);
        writers[3].TryWrite(1);
        Assert.Equal(3, await wait.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void A_channel_with_a_message_is_returned_at_once()
    {
        (List<SharedChannelWriter> writers, List<SharedChannelReader> readers) = Channels(4);
        writers[2].TryWrite(1);
        Assert.Equal(2, SharedChannel.WaitAny(readers, TimeSpan.Zero));
    }

    [Fact]
    public void A_completed_channel_counts_as_ready_so_the_caller_sees_its_end()
    {
        (List<SharedChannelWriter> writers, List<SharedChannelReader> readers) = Channels(3);
        writers[1].Complete();
        int ready = SharedChannel.WaitAny(readers, TimeSpan.FromSeconds(30));
        Assert.Equal(1, ready);
        Assert.False(readers[ready].WaitToRead(Bound));
    }

    [Fact]
    public async Task WaitAny_times_out_and_is_cancellable()
    {
        (_, List<SharedChannelReader> readers) = Channels(3);
        Assert.Throws<TimeoutException>(() => SharedChannel.WaitAny(readers, TimeSpan.FromMilliseconds(20)));
        await Assert.ThrowsAsync<TimeoutException>(async () => await SharedChannel.WaitAnyAsync(readers, TimeSpan.FromMilliseconds(20)));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(30));
        // The timeouts are far beyond the cancellations: a cancellation that does not work ends in a TimeoutException, never a hang.
        Assert.ThrowsAny<OperationCanceledException>(() => SharedChannel.WaitAny(readers, Bound, cancel.Token));
        using var cancelAsync = new CancellationTokenSource();
        ValueTask<int> wait = SharedChannel.WaitAnyAsync(readers, Bound, cancelAsync.Token);
        cancelAsync.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await wait);
    }

    [Fact]
    public async Task A_router_drains_many_channels_with_one_async_loop()
    {
        using var work = new BoundedWork();
        (List<SharedChannelWriter> writers, List<SharedChannelReader> readers) = Channels(8, work);
        // Dedicated threads: blocking writes on pool threads would starve the reader's continuations.
        var producers = writers.Select((w, i) => work.Start(() =>
        {
            for (int n = 0; n < 500; n++)
            {
                w.Write(BitConverter.GetBytes(i * 1000 + n), Bound, work.Stopping);
            }

            w.Complete();
        })).ToList();

        var next = new int[writers.Count];
        var open = readers.ToList();
        var deadline = Deadline.In(TimeSpan.FromMinutes(2), "draining the 8 channels");
        while (open.Count > 0)
        {
            int ready = await SharedChannel.WaitAnyAsync(open, deadline.Remaining);
            SharedChannelReader reader = open[ready];
            while (reader.TryRead(out int value))
            {
                Assert.Equal(next[value / 1000]++, value % 1000);
            }

            if (reader.Completion.IsCompleted)
            {
                open.RemoveAt(ready); // drained and completed: its end was seen by the last TryRead
            }
        }

        await BoundedWork.Within(Task.WhenAll(producers), Bound, "the producers");
        Assert.All(next, n => Assert.Equal(500, n));
    }

    /// <summary>Channels of a writer and a reader each; with <paramref name="work"/>, their endpoints are disposed by it, after the work that uses them.</summary>
    private (List<SharedChannelWriter>, List<SharedChannelReader>) Channels(int count, BoundedWork? work = null)
    {
        var writers = new List<SharedChannelWriter>();
        var readers = new List<SharedChannelReader>();
        for (int i = 0; i < count; i++)
        {
            var channel = new TestChannel("any");
            _channels.Add(channel);
            SharedChannelOptions options = channel.Options(capacity: 4096);
            options.SpinCount = 0;
            writers.Add(SharedChannel.CreateWriter(channel.Name, options));
            readers.Add(SharedChannel.OpenReader(channel.Name, options));
        }

        if (work is null)
        {
            _endpoints.AddRange(writers);
            _endpoints.AddRange(readers);
        }
        else
        {
            writers.ForEach(w => work.Uses(w));
            readers.ForEach(r => work.Uses(r));
        }

        return (writers, readers);
    }

    public void Dispose()
    {
        _endpoints.ForEach(e => e.Dispose());
        _channels.ForEach(c => c.Dispose());
    }
}
