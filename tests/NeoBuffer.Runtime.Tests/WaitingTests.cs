using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>Blocking and async waits: wake-ups, timeouts, cancellation, completion, and dispose during a wait.</summary>
public sealed class WaitingTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [Fact]
    public void WaitToRead_times_out_with_a_TimeoutException()
    {
        using var pair = Pair.Create();
        var error = Assert.Throws<TimeoutException>(() => pair.Reader.WaitToRead(TimeSpan.FromMilliseconds(30)));
        Assert.Contains(pair.Reader.Name, error.Message);
    }

    [Fact]
    public async Task WaitToReadAsync_times_out_with_a_TimeoutException()
    {
        using var pair = Pair.Create();
        await Assert.ThrowsAsync<TimeoutException>(async () => await pair.Reader.WaitToReadAsync(TimeSpan.FromMilliseconds(30)));
    }

    [Fact]
    public void WaitToRead_is_cancelled_while_parked()
    {
        using var pair = Pair.Create(spinCount: 0);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        Assert.ThrowsAny<OperationCanceledException>(() => pair.Reader.WaitToRead(Long, cancel.Token));
    }

    [Fact]
    public async Task WaitToReadAsync_is_cancelled_while_parked()
    {
        using var pair = Pair.Create(spinCount: 0);
        using var cancel = new CancellationTokenSource();
        ValueTask<bool> wait = pair.Reader.WaitToReadAsync(Long, cancel.Token);
        Assert.False(wait.IsCompleted);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await wait);
    }

    [Fact]
    public void An_already_cancelled_token_cancels_before_waiting()
    {
        using var pair = Pair.Create();
        Assert.ThrowsAny<OperationCanceledException>(() => pair.Reader.WaitToRead(new CancellationToken(true)));
        Assert.True(pair.Reader.WaitToReadAsync(new CancellationToken(true)).IsCanceled);
    }

    [Fact]
    public async Task A_parked_async_reader_wakes_when_a_message_is_committed()
    {
        using var pair = Pair.Create(spinCount: 0);
        ValueTask<bool> wait = pair.Reader.WaitToReadAsync(Long);
        Assert.False(wait.IsCompleted);
        Assert.True(pair.Writer.TryWrite("x"u8));
        Assert.True(await wait);
        Assert.True(pair.Reader.TryLease(out ReadLease lease));
        lease.Dispose();
    }

    [Fact]
    public async Task A_parked_blocking_reader_wakes_when_a_message_is_committed()
    {
        using var pair = Pair.Create(spinCount: 0);
        Task<bool> waiting = Task.Factory.StartNew(() => pair.Reader.WaitToRead(Long), TaskCreationOptions.LongRunning);
        Assert.True(pair.Writer.TryWrite("x"u8));
        Assert.True(await waiting.WaitAsync(Long));
    }

    [Fact]
    public async Task Many_async_waits_park_without_holding_thread_pool_threads()
    {
        // 200 channels, each with a parked WaitToReadAsync: far more than the thread pool would start quickly, so if a
        // wait held a pool thread the later writes (done from pool threads) could not make progress within the timeout.
        var pairs = Enumerable.Range(0, 200).Select(_ => Pair.Create(spinCount: 0)).ToList();
        Task writes = Task.CompletedTask;
        try
        {
            var waits = pairs.Select(p => p.Reader.WaitToReadAsync(Long).AsTask()).ToList();
            Assert.All(waits, w => Assert.False(w.IsCompleted));
            int threadsBefore = ThreadPool.ThreadCount;
            writes = Task.WhenAll(pairs.Select(p => Task.Run(() => p.Writer.TryWrite("x"u8))));
            await writes.WaitAsync(Long);
            Assert.All(await Task.WhenAll(waits).WaitAsync(Long), Assert.True);
            Assert.True(ThreadPool.ThreadCount < threadsBefore + 50, $"thread pool grew from {threadsBefore} to {ThreadPool.ThreadCount}");
        }
        finally
        {
            // Writes still running past their bound keep their channels mapped: this test fails alone.
            if (writes.IsCompleted)
            {
                pairs.ForEach(p => p.Dispose());
            }
        }
    }

    [Fact]
    public async Task WriteAsync_waits_for_room_and_completes_when_the_reader_frees_it()
    {
        using var pair = Pair.Create(capacity: 4096, maxMessageSize: 1016, spinCount: 0);
        byte[] payload = new byte[1016]; // 1024-byte records: freeing one makes room for one, without padding at the wrap
        RingFill.UntilRefused(pair.Writer, payload);

        ValueTask write = pair.Writer.WriteAsync(payload, Long);
        Assert.False(write.IsCompleted);
        Assert.True(pair.Reader.TryLease(out ReadLease lease));
        lease.Dispose();
        await write;
    }

    [Fact]
    public void A_blocking_write_times_out_when_the_reader_never_reads()
    {
        using var pair = Pair.Create(capacity: 4096, maxMessageSize: 1000);
        byte[] payload = new byte[1000];
        RingFill.UntilRefused(pair.Writer, payload);

        var error = Assert.Throws<TimeoutException>(() => pair.Writer.Write(payload, TimeSpan.FromMilliseconds(30)));
        Assert.Contains("no room", error.Message);
    }

    [Fact]
    public async Task WaitToWriteAsync_is_cancelled_while_parked()
    {
        using var pair = Pair.Create(capacity: 4096, maxMessageSize: 1000, spinCount: 0);
        RingFill.UntilRefused(pair.Writer, new byte[1000]);
        using var cancel = new CancellationTokenSource();
        ValueTask<bool> wait = pair.Writer.WaitToWriteAsync(1000, Long, cancel.Token);
        Assert.False(wait.IsCompleted);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await wait);
    }

    [Fact]
    public async Task Completion_ends_the_stream_after_every_message_is_read()
    {
        using var pair = Pair.Create();
        pair.Writer.TryWrite("1"u8);
        pair.Writer.TryWrite("2"u8);
        pair.Writer.Complete();
        Assert.False(pair.Writer.TryWrite("3"u8));

        var seen = new List<string>();
        using var bound = new CancellationTokenSource(Long); // an enumeration that misses the end fails, never hangs
        await foreach (ReadOnlyMemory<byte> message in pair.Reader.ReadAllAsync(bound.Token))
        {
            seen.Add(System.Text.Encoding.UTF8.GetString(message.Span));
        }

        Assert.Equal(["1", "2"], seen);
        Assert.False(pair.Reader.WaitToRead(Long));
        await pair.Reader.Completion.WaitAsync(Long);
    }

    [Fact]
    public async Task Completing_with_an_error_faults_the_reader_after_it_drains()
    {
        using var pair = Pair.Create();
        pair.Writer.TryWrite("last"u8);
        pair.Writer.Complete(new InvalidOperationException("camera unplugged"));

        Assert.True(pair.Reader.WaitToRead(Long));
        Assert.True(pair.Reader.TryLease(out ReadLease lease));
        lease.Dispose();
        var error = Assert.Throws<ChannelClosedException>(() => pair.Reader.WaitToRead(Long));
        Assert.Contains("camera unplugged", error.Message);
        var completion = await Assert.ThrowsAsync<ChannelClosedException>(() => pair.Reader.Completion.WaitAsync(Long));
        Assert.Contains("camera unplugged", completion.Message);
    }

    [Fact]
    public async Task Completion_wakes_a_parked_reader()
    {
        using var pair = Pair.Create(spinCount: 0);
        ValueTask<bool> wait = pair.Reader.WaitToReadAsync(Long);
        Assert.False(wait.IsCompleted);
        pair.Writer.Complete();
        Assert.False(await wait);
    }

    [Fact]
    public void Writing_after_completion_throws_ChannelClosedException()
    {
        using var pair = Pair.Create();
        Assert.True(pair.Writer.TryComplete());
        Assert.False(pair.Writer.TryComplete());
        Assert.Throws<ChannelClosedException>(() => pair.Writer.Complete());
        Assert.Throws<ChannelClosedException>(() => pair.Writer.Write("x"u8, Long));
        Assert.False(pair.Writer.WaitToWrite(1, Long));
    }

    [Fact]
    public async Task Disposing_a_reader_wakes_its_blocked_wait_with_ObjectDisposedException()
    {
        var pair = Pair.Create(spinCount: 0);
        var parked = new ManualResetEventSlim();
        Task waiting = Task.Factory.StartNew(() =>
        {
            parked.Set();
            pair.Reader.WaitToRead(Long);
        }, TaskCreationOptions.LongRunning);
        Assert.True(parked.Wait(Long));
        pair.Reader.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting.WaitAsync(Long));
        pair.Dispose();
    }

    [Fact]
    public async Task Disposing_a_reader_ends_its_async_wait_with_ObjectDisposedException()
    {
        var pair = Pair.Create(spinCount: 0);
        ValueTask<bool> wait = pair.Reader.WaitToReadAsync(Long);
        Assert.False(wait.IsCompleted);
        pair.Reader.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await wait.AsTask().WaitAsync(Long));
        pair.Dispose();
    }

    [Fact]
    public async Task Disposing_a_writer_wakes_its_blocked_write()
    {
        var pair = Pair.Create(capacity: 4096, maxMessageSize: 1000, spinCount: 0);
        RingFill.UntilRefused(pair.Writer, new byte[1000]);

        Task waiting = Task.Factory.StartNew(() => pair.Writer.WaitToWrite(1000, Long), TaskCreationOptions.LongRunning);
        Assert.False(waiting.IsCompleted);
        pair.Writer.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting.WaitAsync(Long));
        pair.Dispose();
    }

    [Fact]
    public void A_disposed_reader_refuses_reads()
    {
        var pair = Pair.Create();
        pair.Reader.Dispose();
        Assert.Throws<ObjectDisposedException>(() => pair.Reader.TryLease(out ReadLease _));
        pair.Dispose();
    }

    /// <summary>A writer and a reader of one fresh channel in this process.</summary>
    private sealed class Pair : IDisposable
    {
        private readonly TestChannel _channel;

        private Pair(TestChannel channel, SharedChannelWriter writer, SharedChannelReader reader)
        {
            _channel = channel;
            Writer = writer;
            Reader = reader;
        }

        public SharedChannelWriter Writer { get; }

        public SharedChannelReader Reader { get; }

        public static Pair Create(long capacity = 1 << 16, int? maxMessageSize = null, int spinCount = 100)
        {
            var channel = new TestChannel("wait");
            SharedChannelOptions options = channel.Options(capacity, maxMessageSize);
            options.SpinCount = spinCount;
            SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, options);
            return new Pair(channel, writer, SharedChannel.OpenReader(channel.Name, options));
        }

        public void Dispose()
        {
            Writer.Dispose();
            Reader.Dispose();
            _channel.Dispose();
        }
    }
}
