using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>MPSC and broadcast across real processes, every record checked.</summary>
public sealed class CrossProcessTopologyTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Mpsc_four_producer_processes_keep_their_order_with_no_loss_or_duplicate()
    {
        long perProducer = TestScale.Messages(full: 1_000_000, quick: 50_000);
        using var channel = new TestChannel("xmpsc");
        SharedChannelOptions options = channel.Options(capacity: 1 << 18, maxMessageSize: 512);
        options.Topology = ChannelTopology.MultiProducerSingleConsumer;
        using SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, options);
        var producers = Enumerable.Range(0, 4)
            .Select(p => ChildProcess.Start("mpsc-produce", channel.Directory, channel.Name, p.ToString(), perProducer.ToString(), "512"))
            .ToList();
        try
        {
            long[] next = new long[4];
            await Task.Run(() => ReadUntil(reader, () => next.Sum() == 4 * perProducer, lease =>
            {
                long key = System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(lease);
                int producer = (int)ProducerKey.ProducerOf(key);
                Assert.InRange(producer, 0, 3);
                Assert.Equal(next[producer], ProducerKey.SequenceOf(key));
                Assert.Null(SequencedRecord.Verify(lease, key, 512));
                next[producer]++;
            }));

            foreach (ChildProcess producer in producers)
            {
                Assert.Equal(0, await producer.ExitCodeAsync(Generous));
            }

            Assert.All(next, n => Assert.Equal(perProducer, n));
        }
        finally
        {
            producers.ForEach(p => p.Dispose());
        }
    }

    [Fact]
    public async Task Mpsc_producers_join_and_leave_mid_stream()
    {
        using var channel = new TestChannel("xmpsc");
        SharedChannelOptions options = channel.Options(capacity: 1 << 16, maxMessageSize: 256);
        options.Topology = ChannelTopology.MultiProducerSingleConsumer;
        options.MaxProducers = 2;
        using SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, options);

        // Six short-lived producers through two rows: each joins when an earlier one has left.
        var next = new Dictionary<long, long>();
        for (int wave = 0; wave < 3; wave++)
        {
            using ChildProcess a = ChildProcess.Start("mpsc-produce", channel.Directory, channel.Name, (2 * wave).ToString(), "5000", "256");
            using ChildProcess b = ChildProcess.Start("mpsc-produce", channel.Directory, channel.Name, (2 * wave + 1).ToString(), "5000", "256");
            long target = (wave + 1) * 10_000L;
            await Task.Run(() => ReadUntil(reader, () => next.Values.Sum() == target, lease =>
            {
                long key = System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(lease);
                long producer = ProducerKey.ProducerOf(key);
                Assert.Equal(next.GetValueOrDefault(producer), ProducerKey.SequenceOf(key));
                Assert.Null(SequencedRecord.Verify(lease, key, 256));
                next[producer] = next.GetValueOrDefault(producer) + 1;
            }));
            Assert.Equal(0, await a.ExitCodeAsync(Generous));
            Assert.Equal(0, await b.ExitCodeAsync(Generous));
        }

        Assert.Equal(6, next.Count);
        Assert.All(next.Values, n => Assert.Equal(5000, n));
    }

    [Fact]
    public async Task Broadcast_eight_tethered_subscriber_processes_each_see_every_record_in_order()
    {
        long count = TestScale.Messages(full: 1_000_000, quick: 100_000);
        using var channel = new TestChannel("xbcast");
        SharedChannelOptions options = channel.Options(capacity: 1 << 18, maxMessageSize: 512);
        options.Topology = ChannelTopology.Broadcast;
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, options);
        var subscribers = Enumerable.Range(0, 8)
            .Select(_ => ChildProcess.Start("bcast-subscribe", channel.Directory, channel.Name, "tethered", "live", "512", "0", "0", "0"))
            .ToList();
        try
        {
            foreach (ChildProcess subscriber in subscribers)
            {
                Assert.Equal("ready", await subscriber.FirstLineAsync(Generous));
            }

            await Task.Run(() => WriteSequenced(writer, count, 512));
            writer.Complete();
            foreach (ChildProcess subscriber in subscribers)
            {
                Assert.True(0 == await subscriber.ExitCodeAsync(Generous), subscriber.Output);
                Report report = Report.Parse(subscriber.Output);
                Assert.Equal((count, 0L, count - 1, 0L, 0L), (report.Received, report.First, report.Last, report.Lost, report.Gaps));
            }
        }
        finally
        {
            subscribers.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task Broadcast_a_slow_lossy_subscriber_reports_exactly_the_gaps_and_never_holds_the_producer()
    {
        long count = TestScale.Messages(full: 1_000_000, quick: 200_000);
        using var channel = new TestChannel("xbcast");
        SharedChannelOptions options = channel.Options(capacity: 1 << 16, maxMessageSize: 256);
        options.Topology = ChannelTopology.Broadcast;
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, options);
        using ChildProcess slow = ChildProcess.Start("bcast-subscribe", channel.Directory, channel.Name, "lossy", "live", "256", "100", "2", "0");
        using ChildProcess fast = ChildProcess.Start("bcast-subscribe", channel.Directory, channel.Name, "lossy", "live", "256", "0", "0", "0");
        Assert.Equal("ready", await slow.FirstLineAsync(Generous));
        Assert.Equal("ready", await fast.FirstLineAsync(Generous));

        await Task.Run(() =>
        {
            for (long sequence = 0; sequence < count; sequence++)
            {
                int length = SequencedRecord.LengthOf(sequence, 256);
                Assert.True(writer.TryClaim(length, out WriteClaim claim), "the producer was held back by lossy subscribers");
                SequencedRecord.Fill(claim.Payload, sequence);
                claim.Commit();
            }
        });
        writer.Complete();

        foreach (ChildProcess subscriber in new[] { slow, fast })
        {
            Assert.True(0 == await subscriber.ExitCodeAsync(Generous), subscriber.Output);
            // Joined before the first record: everything not received, before the first read included, was reported lost
            // (torn leases included), and everything received was in order.
            Report report = Report.Parse(subscriber.Output);
            Assert.True(report.First + report.Gaps == report.Lost, subscriber.Output);
            Assert.True(count - report.First == report.Received + report.Gaps, subscriber.Output);
            Assert.Equal(count - 1, report.Last);
        }

        Assert.True(Report.Parse(slow.Output).Lost > 0, "the slow subscriber was never lapped: the test did not test anything");
    }

    [Fact]
    public async Task Broadcast_subscribers_join_and_leave_mid_stream()
    {
        using var channel = new TestChannel("xbcast");
        SharedChannelOptions options = channel.Options(capacity: 1 << 16, maxMessageSize: 256);
        options.Topology = ChannelTopology.Broadcast;
        options.MaxSubscribers = 4;
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, options);
        using ChildProcess steady = ChildProcess.Start("bcast-subscribe", channel.Directory, channel.Name, "tethered", "live", "256", "0", "0", "0");
        Assert.Equal("ready", await steady.FirstLineAsync(Generous));

        long sequence = 0;
        var leavers = new List<ChildProcess>();
        try
        {
            for (int wave = 0; wave < 4; wave++)
            {
                // A tethered subscriber joins from the oldest record and leaves after 3000: the producer must neither
                // lose records for the steady subscriber nor stall once the leaver is gone.
                ChildProcess leaver = ChildProcess.Start("bcast-subscribe", channel.Directory, channel.Name, "tethered", "oldest", "256", "0", "0", "3000");
                leavers.Add(leaver);
                Assert.True("ready" == await leaver.FirstLineAsync(Generous), leaver.Output);
                long end = sequence + 10_000;
                sequence = await Task.Run(() => WriteSequenced(writer, end, 256, sequence));
                Assert.True(0 == await leaver.ExitCodeAsync(Generous), leaver.Output);
                Report left = Report.Parse(leaver.Output);
                Assert.True((3000L, 0L, 0L) == (left.Received, left.Gaps, left.Lost), leaver.Output);
            }

            writer.Complete();
            Assert.True(0 == await steady.ExitCodeAsync(Generous), steady.Output);
            Report report = Report.Parse(steady.Output);
            Assert.True((sequence, 0L, 0L) == (report.Received, report.Gaps, report.Lost), steady.Output);
        }
        finally
        {
            leavers.ForEach(l => l.Dispose());
        }
    }

    private static long WriteSequenced(SharedChannelWriter writer, long end, int maxLength, long start = 0)
    {
        for (long sequence = start; sequence < end; sequence++)
        {
            WriteClaim claim = writer.Claim(SequencedRecord.LengthOf(sequence, maxLength), Generous);
            SequencedRecord.Fill(claim.Payload, sequence);
            claim.Commit();
        }

        return end;
    }

    private static void ReadUntil(SharedChannelReader reader, Func<bool> done, Action<byte[]> check)
    {
        // A producer that failed shows as a timeout, a stream that ends early as a failure: never a hang.
        var deadline = Deadline.In(Generous, "reading every producer's records");
        while (!done())
        {
            Assert.True(reader.WaitToRead(deadline.Remaining < TimeSpan.FromSeconds(60) ? deadline.Remaining : TimeSpan.FromSeconds(60)),
                "the channel reported its end before every record arrived");
            while (reader.TryLease(out ReadLease lease))
            {
                using (lease)
                {
                    check(lease.Payload.ToArray());
                }
            }
        }
    }

    private sealed record Report(long Received, long First, long Last, long Lost, long Gaps, long Torn)
    {
        public static Report Parse(string output)
        {
            Match m = Regex.Match(output, @"received=(\d+) first=(-?\d+) last=(-?\d+) lost=(\d+) gaps=(\d+) torn=(\d+)");
            Assert.True(m.Success, "no report line in: " + output);
            long Get(int i) => long.Parse(m.Groups[i].Value);
            return new Report(Get(1), Get(2), Get(3), Get(4), Get(5), Get(6));
        }
    }
}
