using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using NeoBuffer.Ring;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>MPSC and broadcast semantics in one process (the cross-process runs are in CrossProcessTopologyTests).</summary>
public sealed class TopologyTests
{
    [Fact]
    public void Mpsc_writers_interleave_and_each_keeps_its_order()
    {
        using var channel = new TestChannel("mpsc");
        SharedChannelOptions options = channel.Options(capacity: 8192);
        options.Topology = ChannelTopology.MultiProducerSingleConsumer;
        using SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, options);
        var writers = Enumerable.Range(0, 3).Select(_ => SharedChannel.OpenWriter(channel.Name, channel.Options())).ToList();
        try
        {
            var next = new int[writers.Count];
            var expected = new int[writers.Count];
            var random = new Random(7);
            int received = 0;
            var deadline = Deadline.In(TimeSpan.FromMinutes(1), "exchanging 3000 messages");
            while (received < 3000)
            {
                deadline.Check();
                int w = random.Next(writers.Count);
                if (next[w] < 1000 && writers[w].TryWrite<(int Writer, int Sequence)>((w, next[w])))
                {
                    next[w]++;
                }

                while (random.Next(3) == 0 && reader.TryRead(out (int Writer, int Sequence) message))
                {
                    Assert.Equal(expected[message.Writer]++, message.Sequence);
                    received++;
                }
            }
        }
        finally
        {
            writers.ForEach(w => w.Dispose());
        }
    }

    [Fact]
    public void Mpsc_waits_at_a_claimed_record_until_it_is_committed_even_when_later_ones_are()
    {
        using var channel = new TestChannel("mpsc");
        SharedChannelOptions options = channel.Options();
        options.Topology = ChannelTopology.MultiProducerSingleConsumer;
        using SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, options);
        using SharedChannelWriter first = SharedChannel.OpenWriter(channel.Name, channel.Options());
        using SharedChannelWriter second = SharedChannel.OpenWriter(channel.Name, channel.Options());

        Assert.True(first.TryClaim(4, out WriteClaim slow));
        Assert.True(second.TryWrite(2));
        Assert.False(reader.TryRead(out int _)); // the first claim holds the line
        BitConverter.TryWriteBytes(slow.Payload, 1);
        slow.Commit();
        Assert.True(reader.TryRead(out int a));
        Assert.True(reader.TryRead(out int b));
        Assert.Equal((1, 2), (a, b));
    }

    [Fact]
    public void Mpsc_an_aborted_claim_becomes_padding_the_reader_skips()
    {
        using var channel = new TestChannel("mpsc");
        SharedChannelOptions options = channel.Options();
        options.Topology = ChannelTopology.MultiProducerSingleConsumer;
        using SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, options);
        using SharedChannelWriter first = SharedChannel.OpenWriter(channel.Name, channel.Options());
        using SharedChannelWriter second = SharedChannel.OpenWriter(channel.Name, channel.Options());
        Assert.True(first.TryClaim(4, out WriteClaim abandoned));
        Assert.True(second.TryWrite(2));
        abandoned.Abort();
        Assert.True(reader.TryRead(out int value));
        Assert.Equal(2, value);
        Assert.False(reader.TryRead(out int _));
    }

    [Fact]
    public void Mpsc_admits_as_many_writers_as_it_was_created_for()
    {
        using var channel = new TestChannel("mpsc");
        SharedChannelOptions options = channel.Options();
        options.Topology = ChannelTopology.MultiProducerSingleConsumer;
        options.MaxProducers = 2;
        using SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, options);
        using SharedChannelWriter a = SharedChannel.OpenWriter(channel.Name, channel.Options());
        using SharedChannelWriter b = SharedChannel.OpenWriter(channel.Name, channel.Options());
        var error = Assert.Throws<ChannelRoleTakenException>(() => SharedChannel.OpenWriter(channel.Name, channel.Options()));
        Assert.Contains("MaxProducers", error.Message);
        b.Dispose();
        using SharedChannelWriter c = SharedChannel.OpenWriter(channel.Name, channel.Options()); // a writer that left frees its row
    }

    [Fact]
    public void Mpsc_survives_many_wraps_with_the_consumer_zeroing_behind_it()
    {
        using var channel = new TestChannel("mpsc");
        SharedChannelOptions options = channel.Options(capacity: 4096, maxMessageSize: 1500);
        options.Topology = ChannelTopology.MultiProducerSingleConsumer;
        using SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, options);
        using SharedChannelWriter writer = SharedChannel.OpenWriter(channel.Name, channel.Options());

        // The reader looks ahead of the writer, where stale bytes of older laps would be if the consumer did not zero
        // what it consumed: before the claim (head == claim tail), and in the window after the claim's CAS and before
        // its header is written, where ClaimTail already covers the record. Only zeroes may be seen there.
        int lookedInTheWindow = 0;
        using IDisposable hook = ProtocolPoint.OnThisThread(point =>
        {
            if (point == ProtocolPoint.MpscClaimed)
            {
                lookedInTheWindow++;
                Assert.False(reader.TryLease(out ReadLease _), "the reader took stale bytes at a claimed position for a committed record");
            }
        });

        for (long sequence = 0; sequence < 5000; sequence++)
        {
            Assert.False(reader.TryLease(out ReadLease _), "the reader took stale bytes ahead of the claim tail for a record");
            int length = SequencedRecord.LengthOf(sequence, 1500);
            Assert.True(writer.TryClaim(length, out WriteClaim claim));
            SequencedRecord.Fill(claim.Payload, sequence);
            claim.Commit();
            Assert.True(reader.TryLease(out ReadLease lease));
            using (lease)
            {
                Assert.Null(SequencedRecord.Verify(lease.Payload, sequence, 1500));
            }
        }

        Assert.Equal(5000, lookedInTheWindow);
    }

    [Fact]
    public void Broadcast_every_subscriber_sees_every_message()
    {
        using var channel = new TestChannel("bcast");
        SharedChannelOptions options = channel.Options(capacity: 8192);
        options.Topology = ChannelTopology.Broadcast;
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, options);
        var subscribers = Enumerable.Range(0, 4).Select(_ => SharedChannel.OpenReader(channel.Name, channel.Options())).ToList();
        try
        {
            for (int i = 0; i < 2000; i++)
            {
                Assert.True(writer.TryWrite(i));
                foreach (SharedChannelReader subscriber in subscribers)
                {
                    Assert.True(subscriber.TryRead(out int value));
                    Assert.Equal(i, value);
                }
            }
        }
        finally
        {
            subscribers.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public void Broadcast_a_tethered_subscriber_holds_the_producer_back()
    {
        using var channel = new TestChannel("bcast");
        SharedChannelOptions options = channel.Options(capacity: 4096, maxMessageSize: 1000);
        options.Topology = ChannelTopology.Broadcast;
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, options);
        using SharedChannelReader tethered = SharedChannel.OpenReader(channel.Name, channel.Options());
        int written = RingFill.UntilRefused(writer, new byte[1000]);
        Assert.InRange(written, 3, 4);
        Assert.True(tethered.TryLease(out ReadLease lease));
        lease.Dispose();
        Assert.True(writer.TryWrite(new byte[1000]));
    }

    [Fact]
    public void Broadcast_without_tethered_subscribers_the_producer_never_waits_and_lossy_ones_count_their_loss()
    {
        using var channel = new TestChannel("bcast");
        SharedChannelOptions options = channel.Options(capacity: 4096, maxMessageSize: 200);
        options.Topology = ChannelTopology.Broadcast;
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, options);
        SharedChannelOptions lossyOptions = channel.Options();
        lossyOptions.SubscriberMode = SubscriberMode.Lossy;
        using SharedChannelReader lossy = SharedChannel.OpenReader(channel.Name, lossyOptions);

        for (long i = 0; i < 1000; i++)
        {
            Assert.True(writer.TryWrite(i)); // never refused: nobody is tethered
        }

        var seen = new List<long>();
        while (lossy.TryRead(out long value))
        {
            seen.Add(value);
            Assert.True(seen.Count <= 1000, "the subscriber read more messages than were written");
        }

        Assert.Equal(999, seen[^1]);
        Assert.True(seen.Count < 1000);
        Assert.Equal(1000 - seen.Count, lossy.LostMessages);
        Assert.Equal(seen, seen.Order()); // what was read is in order, without duplicates
        Assert.Equal(seen.Count, seen.Distinct().Count());
    }

    [Fact]
    public void Broadcast_a_lossy_lease_knows_when_it_was_overwritten()
    {
        using var channel = new TestChannel("bcast");
        SharedChannelOptions options = channel.Options(capacity: 4096, maxMessageSize: 1000);
        options.Topology = ChannelTopology.Broadcast;
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, options);
        SharedChannelOptions lossyOptions = channel.Options();
        lossyOptions.SubscriberMode = SubscriberMode.Lossy;
        using SharedChannelReader lossy = SharedChannel.OpenReader(channel.Name, lossyOptions);

        Assert.True(writer.TryWrite(new byte[1000]));
        Assert.True(lossy.TryLease(out ReadLease lease));
        Assert.False(lease.IsOverwritten);
        for (int i = 0; i < 4; i++)
        {
            Assert.True(writer.TryWrite(new byte[1000]));
        }

        Assert.True(lease.IsOverwritten);
        lease.Dispose();
    }

    [Fact]
    public void Broadcast_subscribers_join_at_the_live_tail_or_the_oldest_message()
    {
        using var channel = new TestChannel("bcast");
        SharedChannelOptions options = channel.Options(capacity: 4096);
        options.Topology = ChannelTopology.Broadcast;
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, options);
        for (int i = 0; i < 10; i++)
        {
            writer.TryWrite(i);
        }

        using SharedChannelReader live = SharedChannel.OpenReader(channel.Name, channel.Options());
        SharedChannelOptions fromOldest = channel.Options();
        fromOldest.SubscriberStart = SubscriberStart.Oldest;
        using SharedChannelReader oldest = SharedChannel.OpenReader(channel.Name, fromOldest);
        writer.TryWrite(10);

        Assert.True(live.TryRead(out int first));
        Assert.Equal(10, first);
        Assert.True(oldest.TryRead(out int earliest));
        Assert.Equal(0, earliest);
    }

    [Fact]
    public async Task Broadcast_a_subscriber_that_leaves_releases_the_producer()
    {
        using var channel = new TestChannel("bcast");
        SharedChannelOptions options = channel.Options(capacity: 4096, maxMessageSize: 1000);
        options.Topology = ChannelTopology.Broadcast;
        options.SpinCount = 0;
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, options);
        SharedChannelReader tethered = SharedChannel.OpenReader(channel.Name, channel.Options());
        RingFill.UntilRefused(writer, new byte[1000]);

        ValueTask<bool> wait = writer.WaitToWriteAsync(1000, TimeSpan.FromSeconds(30));
        Assert.False(wait.IsCompleted);
        tethered.Dispose();
        Assert.True(await wait);
        Assert.True(writer.TryWrite(new byte[1000]));
    }
}
