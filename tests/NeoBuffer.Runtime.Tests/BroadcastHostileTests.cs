using System;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// A peer that leaves the broadcast header or ring in a state no producer makes: every subscriber loop that reads it
/// ends, with <see cref="ChannelCorruptedException"/>, instead of spinning for ever (docs/format.md, "Broadcast
/// protocol"). Each call runs on a thread of its own, with its reader created there and disposed there, so a call
/// that does loop fails its test alone: the state is healed to let it end, and nothing is unmapped under it.
/// </summary>
public sealed class BroadcastHostileTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(10);
    private const long Capacity = 4096;

    [Fact]
    public async Task A_joiner_facing_a_TailIntent_more_than_a_ring_ahead_of_the_tail_is_told_the_channel_is_corrupted()
    {
        using var channel = new TestChannel("bcast-hostile");
        using SharedChannelWriter writer = Writer(channel, records: 10);
        var segment = new SegmentBytes(channel);
        long tail = segment.ReadLong(SegmentBytes.Tail);
        segment.WriteLong(SegmentBytes.TailIntent, tail + 2 * Capacity); // every start the joiner picks looks overwritten

        Exception? error = await EndsWithin(
            OnOwnThread(() => SharedChannel.OpenReader(channel.Name, channel.Options()).Dispose()),
            heal: () => segment.WriteLong(SegmentBytes.TailIntent, tail));
        Assert.Contains("TailIntent", Assert.IsType<ChannelCorruptedException>(error).Message);
    }

    [Fact]
    public async Task A_joiner_from_the_oldest_record_facing_an_Oldest_past_the_tail_is_told_the_channel_is_corrupted()
    {
        using var channel = new TestChannel("bcast-hostile");
        using SharedChannelWriter writer = Writer(channel, records: 10);
        var segment = new SegmentBytes(channel);
        long tail = segment.ReadLong(SegmentBytes.Tail);
        segment.WriteLong(SegmentBytes.Oldest, tail + 8);

        Exception? error = await EndsWithin(
            OnOwnThread(() => SharedChannel.OpenReader(channel.Name, FromOldest(channel)).Dispose()),
            heal: () => segment.WriteLong(SegmentBytes.Oldest, 0));
        Assert.Contains("oldest", Assert.IsType<ChannelCorruptedException>(error).Message);
    }

    [Fact]
    public async Task A_joiner_from_the_oldest_record_facing_an_Oldest_already_announced_overwritten_is_told_the_channel_is_corrupted()
    {
        using var channel = new TestChannel("bcast-hostile");
        using SharedChannelWriter writer = Writer(channel, records: 300); // laps the ring: Oldest is past 0
        var segment = new SegmentBytes(channel);
        long tail = segment.ReadLong(SegmentBytes.Tail);
        long oldest = segment.ReadLong(SegmentBytes.Oldest);
        long intent = oldest + Capacity + 8; // announces the overwrite of the record at Oldest, which Oldest should have passed
        Assert.InRange(intent, tail, tail + Capacity);
        segment.WriteLong(SegmentBytes.TailIntent, intent);

        Exception? error = await EndsWithin(
            OnOwnThread(() => SharedChannel.OpenReader(channel.Name, FromOldest(channel)).Dispose()),
            heal: () => segment.WriteLong(SegmentBytes.TailIntent, tail));
        Assert.Contains("oldest", Assert.IsType<ChannelCorruptedException>(error).Message);
    }

    [Fact]
    public async Task A_lossy_subscriber_refuses_a_tail_beyond_every_announced_claim()
    {
        using var channel = new TestChannel("bcast-hostile");
        using SharedChannelWriter writer = Writer(channel, records: 0);
        var segment = new SegmentBytes(channel);

        // A ring of one padding record, and a tail far beyond anything the producer announced: a reader that takes the
        // tail goes round the padding for ever.
        Exception? error = await EndsWithin(
            LossyReaderOnOwnThread(channel, readFirst: 0, hostile: () =>
            {
                segment.WriteRecordHeader(0, (int)Capacity, -1);
                segment.WriteLong(SegmentBytes.Tail, 1L << 40);
            }),
            heal: () => segment.WriteRecordHeader(0, 0, 0));
        Assert.Contains("TailIntent", Assert.IsType<ChannelCorruptedException>(error).Message);
    }

    [Fact]
    public async Task A_lossy_subscriber_resynchronised_into_endless_padding_is_told_the_channel_is_corrupted()
    {
        using var channel = new TestChannel("bcast-hostile");
        using SharedChannelWriter writer = Writer(channel, records: 2);
        var segment = new SegmentBytes(channel);

        // The reader has read record 0 (24 bytes) and knows record 1 is there, so it reads no tail first. It finds its
        // position announced overwritten and resumes at Oldest, taking the tail stored beside it; from there two
        // padding records chase each other round the ring.
        Exception? error = await EndsWithin(
            LossyReaderOnOwnThread(channel, readFirst: 1, hostile: () =>
            {
                segment.WriteRecordHeader(0, 24, -1);
                segment.WriteRecordHeader(24, (int)Capacity - 24, -1);
                segment.WriteLong(SegmentBytes.Tail, 1L << 40);
                segment.WriteLong(SegmentBytes.Oldest, Capacity + 24);
                segment.WriteLong(SegmentBytes.TailIntent, 2 * Capacity + 24);
            }),
            heal: () =>
            {
                segment.WriteRecordHeader(0, 0, 0);
                segment.WriteRecordHeader(24, 0, 0);
            });
        Assert.Contains("padding", Assert.IsType<ChannelCorruptedException>(error).Message);
    }

    private static SharedChannelWriter Writer(TestChannel channel, int records)
    {
        SharedChannelOptions options = channel.Options(Capacity, maxMessageSize: 256);
        options.Topology = ChannelTopology.Broadcast;
        SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, options);
        for (long i = 0; i < records; i++)
        {
            Assert.True(writer.TryWrite(i)); // 24 bytes each: header, sequence, payload
        }

        return writer;
    }

    private static SharedChannelOptions FromOldest(TestChannel channel)
    {
        SharedChannelOptions options = channel.Options();
        options.SubscriberStart = SubscriberStart.Oldest;
        return options;
    }

    private static Task OnOwnThread(Action call) =>
        Task.Factory.StartNew(call, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>
    /// A lossy subscriber joined at the oldest record (record 0), having read <paramref name="readFirst"/> records; then
    /// <paramref name="hostile"/> runs on the test's thread, and the subscriber reads once more.
    /// </summary>
    private static Task LossyReaderOnOwnThread(TestChannel channel, int readFirst, Action hostile)
    {
        SharedChannelOptions options = channel.Options();
        options.SubscriberMode = SubscriberMode.Lossy;
        options.SubscriberStart = SubscriberStart.Oldest;
        var joined = new ManualResetEventSlim(); // not disposed: the reading thread may outlive this method
        var attacked = new ManualResetEventSlim();
        Task reading = OnOwnThread(() =>
        {
            using SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, options);
            for (int i = 0; i < readFirst; i++)
            {
                Assert.True(reader.TryRead(out long _));
            }

            joined.Set();
            if (attacked.Wait(Budget))
            {
                reader.TryRead(out long _);
            }
        });
        if (!joined.Wait(Budget))
        {
            attacked.Set();
            throw new TimeoutException("the subscriber did not join");
        }

        hostile();
        attacked.Set();
        return reading;
    }

    /// <summary>
    /// What <paramref name="call"/> threw, or null; if it is still running after <see cref="Budget"/> it loops on the
    /// hostile state: <paramref name="heal"/> lets it end (its reader then unmaps on its own thread) and the test fails.
    /// </summary>
    private static async Task<Exception?> EndsWithin(Task call, Action heal)
    {
        try
        {
            await call.WaitAsync(Budget);
            return null;
        }
        catch (TimeoutException) when (!call.IsCompleted)
        {
        }
        catch (Exception e)
        {
            return e;
        }

        heal();
        bool ended = ((IAsyncResult)call).AsyncWaitHandle.WaitOne(Budget);
        throw new Xunit.Sdk.XunitException($"The call was still running after {Budget}: it loops on the hostile state. Healed, it {(ended ? "ended" : "still runs")}.");
    }
}
