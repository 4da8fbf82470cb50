using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// <c>ReadAllAsync</c> copies and <c>LeaseAllAsync</c> leases, over a ring small enough that a child's records wrap it
/// many times: a copy must still hold its record after the ring reused the bytes, and a lease must refuse to show them.
/// </summary>
public sealed class AsyncEnumerationTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(2);
    private const int Count = 3_000;
    private const int MaxLength = 600;

    [Fact]
    public async Task ReadAllAsync_items_are_copies_that_outlive_the_loop()
    {
        using var channel = new TestChannel("readall");
        using SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, channel.Options(1 << 13, MaxLength));
        using ChildProcess producer = StartProducer(channel);

        var kept = new List<ReadOnlyMemory<byte>>();
        using var bound = new CancellationTokenSource(Generous); // a stream that misses its end fails, never hangs
        await foreach (ReadOnlyMemory<byte> message in reader.ReadAllAsync(bound.Token))
        {
            kept.Add(message);
        }

        // Checked only now, after an 8 KiB ring carried about 300 KiB: each item still holds its own record.
        Assert.Equal(Count, kept.Count);
        for (int sequence = 0; sequence < kept.Count; sequence++)
        {
            string? error = SequencedRecord.Verify(kept[sequence].Span, sequence, MaxLength);
            Assert.True(error is null, error);
        }

        Assert.Equal(0, await producer.ExitCodeAsync(Generous));
        Assert.True(reader.Completion.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task LeaseAllAsync_leases_in_place_and_a_passed_item_refuses_its_payload()
    {
        using var channel = new TestChannel("leaseall");
        using SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, channel.Options(1 << 13, MaxLength));
        using ChildProcess producer = StartProducer(channel);

        long expected = 0;
        LeasedMessage previous = default;
        using var bound = new CancellationTokenSource(Generous);
        await foreach (LeasedMessage message in reader.LeaseAllAsync(bound.Token))
        {
            string? error = SequencedRecord.Verify(message.Payload, expected, MaxLength);
            Assert.True(error is null, error);
            Assert.False(message.IsOverwritten);
            if (expected > 0)
            {
                LeasedMessage stale = previous;
                Assert.Throws<InvalidOperationException>(() => stale.Payload.Length);
            }

            previous = message;
            expected++;
        }

        Assert.Equal(Count, expected);
        Assert.Throws<InvalidOperationException>(() => previous.Payload.Length); // the last lease ended with the loop
        Assert.Throws<InvalidOperationException>(() => default(LeasedMessage).Payload.Length);
        Assert.Equal(0, await producer.ExitCodeAsync(Generous));
    }

    [Fact]
    public async Task Breaking_out_of_LeaseAllAsync_consumes_the_message_it_was_on_and_no_more()
    {
        using var channel = new TestChannel("leasebreak");
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options());
        using SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, channel.Options());
        writer.TryWrite("a"u8);
        writer.TryWrite("b"u8);
        using var bound = new CancellationTokenSource(Generous);
        await foreach (LeasedMessage message in reader.LeaseAllAsync(bound.Token))
        {
            Assert.Equal("a"u8.ToArray(), message.Payload.ToArray());
            break;
        }

        Assert.True(reader.TryRead(out byte[]? next));
        Assert.Equal("b"u8.ToArray(), next);
    }

    [Fact]
    public async Task ReadAllAsync_serves_a_lossy_subscriber_with_copies()
    {
        using var channel = new TestChannel("lossyall");
        var options = channel.Options();
        options.Topology = ChannelTopology.Broadcast;
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, options);
        var lossyOptions = channel.Options();
        lossyOptions.SubscriberMode = SubscriberMode.Lossy;
        using SharedChannelReader lossy = SharedChannel.OpenReader(channel.Name, lossyOptions);
        writer.TryWrite("x"u8);
        writer.TryWrite("y"u8);
        writer.Complete();

        var seen = new List<string>();
        using var bound = new CancellationTokenSource(Generous);
        await foreach (ReadOnlyMemory<byte> message in lossy.ReadAllAsync(bound.Token))
        {
            seen.Add(System.Text.Encoding.UTF8.GetString(message.Span));
        }

        Assert.Equal(["x", "y"], seen);
    }

    [Fact]
    public async Task A_ChannelReader_view_copies_every_record_a_child_writes()
    {
        using var channel = new TestChannel("rawview");
        using SharedChannelReader shared = SharedChannel.CreateReader(channel.Name, channel.Options(1 << 13, MaxLength));
        using ChildProcess producer = StartProducer(channel);
        System.Threading.Channels.ChannelReader<ReadOnlyMemory<byte>> reader = shared.AsChannelReader();

        var kept = new List<ReadOnlyMemory<byte>>();
        using var bound = new CancellationTokenSource(Generous);
        while (await reader.WaitToReadAsync(bound.Token))
        {
            while (reader.TryRead(out ReadOnlyMemory<byte> message))
            {
                kept.Add(message);
            }
        }

        Assert.Equal(Count, kept.Count);
        for (int sequence = 0; sequence < kept.Count; sequence++)
        {
            string? error = SequencedRecord.Verify(kept[sequence].Span, sequence, MaxLength);
            Assert.True(error is null, error);
        }

        await reader.Completion.WaitAsync(Generous);
        Assert.Equal(0, await producer.ExitCodeAsync(Generous));
    }

    private static ChildProcess StartProducer(TestChannel channel) =>
        ChildProcess.Start("spsc-produce", channel.Directory, channel.Name, Count.ToString(), MaxLength.ToString(), "0", "0");
}
