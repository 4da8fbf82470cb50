using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>The <c>NeoBuffer</c> meter, observed with a MeterListener over real channels in this process.</summary>
public sealed class MetricsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Messages_and_bytes_written_and_read_are_counted_exactly_on_every_path()
    {
        using var channel = new TestChannel("metrics");
        using var metrics = new ChannelMeasurements(channel.Name);
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options());
        using SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, channel.Options());

        // 60 copied in and 40 claimed in place, of mixed lengths; 20 fixed-size ones; an aborted claim counts nothing.
        var lengths = Enumerable.Range(0, 100).Select(i => 1 + i % 50).ToList();
        foreach ((int length, int i) in lengths.Select((l, i) => (l, i)))
        {
            if (i < 60)
            {
                Assert.True(writer.TryWrite(new byte[length]));
            }
            else
            {
                WriteClaim claim = writer.Claim(length, Bound);
                claim.Commit();
            }
        }

        for (long i = 0; i < 20; i++)
        {
            Assert.True(writer.TryWrite(i));
        }

        Assert.True(writer.TryClaim(33, out WriteClaim aborted));
        aborted.Abort();
        long bytesWritten = lengths.Sum() + 20 * sizeof(long);
        Assert.Equal(120, metrics.Single("neobuffer.messages.written", "writer"));
        Assert.Equal(bytesWritten, metrics.Single("neobuffer.bytes.written", "writer"));
        Assert.Equal(0, metrics.Single("neobuffer.messages.read", "reader"));

        // Leases (one abandoned by a failed copy first, which reads nothing), copies out, then the async enumeration.
        Assert.Throws<MessageFormatException>(() => reader.TryRead(out Guid _));
        for (int i = 0; i < 100; i++)
        {
            Assert.True(reader.TryLease(out ReadLease lease));
            Assert.Equal(lengths[i], lease.Length);
            lease.Dispose();
            lease.Dispose(); // idempotent: counted once
        }

        Assert.Equal(100, metrics.Single("neobuffer.messages.read", "reader"));
        for (int i = 0; i < 10; i++)
        {
            Assert.True(reader.TryRead(out long _));
        }

        writer.Complete();
        using (var bound = new System.Threading.CancellationTokenSource(Bound))
        {
            // Bounded: an enumeration that never sees the completion fails here instead of hanging the run.
            Assert.Equal(10, await reader.ReadAllAsync(bound.Token).CountAsync(bound.Token));
        }

        Assert.Equal(120, metrics.Single("neobuffer.messages.read", "reader"));
        Assert.Equal(bytesWritten, metrics.Single("neobuffer.bytes.read", "reader"));
        Assert.Equal(120, metrics.Single("neobuffer.messages.written", "writer"));
    }

    [Fact]
    public void Each_endpoint_is_one_series_tagged_with_its_channel_topology_role_and_row()
    {
        using var channel = new TestChannel("metrics");
        using var metrics = new ChannelMeasurements(channel.Name);
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options());
        using SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, channel.Options());
        IReadOnlyList<Observation> observed = metrics.Collect();

        Assert.Equal(new[] { "reader", "writer" }, observed.Where(o => o.Instrument == "neobuffer.endpoints.open").Select(o => o.Role).Order());
        Assert.All(observed, o =>
        {
            Assert.Equal("spsc", o.Tags["neobuffer.topology"]);
            Assert.Equal(o.Role == "writer" ? 0 : 1, o.Participant); // SPSC rows: 0 the writer, 1 the reader
        });
    }

    [Fact]
    public void Disposed_endpoints_disappear_from_observations()
    {
        using var channel = new TestChannel("metrics");
        using var metrics = new ChannelMeasurements(channel.Name);
        SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options());
        SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, channel.Options());
        writer.TryWrite(1);
        Assert.Equal(new[] { "reader", "writer" }, metrics.Collect().Select(o => o.Role).Distinct().Order());

        // A reader disposed with a lease open stays attached until the lease ends, but is no longer reported.
        Assert.True(reader.TryLease(out ReadLease lease));
        reader.Dispose();
        Assert.All(metrics.Collect(), o => Assert.Equal("writer", o.Role));
        lease.Dispose();
        Assert.All(metrics.Collect(), o => Assert.Equal("writer", o.Role));

        writer.Dispose();
        Assert.Empty(metrics.Collect());
    }

    [Fact]
    public void A_lossy_subscriber_reports_its_loss_and_a_torn_lease_counts_as_lost_not_read()
    {
        using var channel = new TestChannel("metrics");
        using var metrics = new ChannelMeasurements(channel.Name);
        SharedChannelOptions options = channel.Options(capacity: 4096);
        options.Topology = ChannelTopology.Broadcast;
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, options);
        SharedChannelOptions lossy = channel.Options();
        lossy.SubscriberMode = SubscriberMode.Lossy;
        using SharedChannelReader torn = SharedChannel.OpenReader(channel.Name, lossy);
        using SharedChannelReader lapped = SharedChannel.OpenReader(channel.Name, lossy);
        const int Written = 200;

        // The first message is leased while the writer laps the ring; nothing holds a lossy subscriber's writer back.
        Assert.True(writer.TryWrite(new byte[64]));
        Assert.True(torn.TryLease(out ReadLease lease));
        for (int i = 1; i < Written; i++)
        {
            Assert.True(writer.TryWrite(new byte[64]));
        }

        Assert.True(lease.IsOverwritten);
        lease.Dispose();
        int tornRead = Drain(torn);
        int lappedRead = Drain(lapped);

        List<Observation> subscribers = metrics.Collect().Where(o => o.Role == "subscriber").ToList();
        long Reported(string instrument, SharedChannelReader reader) =>
            Assert.Single(subscribers, o => o.Instrument == instrument && o.Participant == ParticipantOf(reader)).Value;
        int ParticipantOf(SharedChannelReader reader) => reader == torn ? 1 : 2; // broadcast rows: 0 the writer, then subscribers in order

        Assert.Equal(tornRead, Reported("neobuffer.messages.read", torn));
        Assert.Equal(torn.LostMessages, Reported("neobuffer.messages.lost", torn));
        Assert.Equal(Written, tornRead + torn.LostMessages);
        Assert.Equal(lappedRead, Reported("neobuffer.messages.read", lapped));
        Assert.Equal(lapped.LostMessages, Reported("neobuffer.messages.lost", lapped));
        Assert.Equal(Written, lappedRead + lapped.LostMessages);
        Assert.True(lapped.LostMessages > 0);
        Assert.Equal(64L * tornRead, Reported("neobuffer.bytes.read", torn));
        Assert.DoesNotContain(metrics.Collect(), o => o.Instrument == "neobuffer.messages.lost" && o.Role == "writer");
    }

    [Fact]
    public void A_tethered_subscriber_reports_no_loss()
    {
        using var channel = new TestChannel("metrics");
        using var metrics = new ChannelMeasurements(channel.Name);
        SharedChannelOptions options = channel.Options();
        options.Topology = ChannelTopology.Broadcast;
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, options);
        using SharedChannelReader tethered = SharedChannel.OpenReader(channel.Name, channel.Options());

        Assert.DoesNotContain(metrics.Collect(), o => o.Instrument == "neobuffer.messages.lost");
        Assert.Equal(1, metrics.Single("neobuffer.endpoints.open", "subscriber"));
    }

    [Fact]
    public async Task Waits_that_park_are_counted_and_waits_that_need_not_are_not()
    {
        using var channel = new TestChannel("metrics");
        using var metrics = new ChannelMeasurements(channel.Name);
        SharedChannelOptions options = channel.Options(capacity: 4096, maxMessageSize: 1000);
        options.SpinCount = 0; // straight to the futex, so each wait that finds nothing parks
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, options);
        using SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, options);
        // Long enough that a wait is not past its deadline before it gets to park (a wait that is does not park, and
        // on a loaded CI machine 20 ms was not: one of the four reader waits once went uncounted).
        TimeSpan brief = TimeSpan.FromMilliseconds(250);

        Assert.Throws<TimeoutException>(() => reader.WaitToRead(brief));
        await Assert.ThrowsAsync<TimeoutException>(async () => await reader.WaitToReadAsync(brief));
        Assert.Throws<TimeoutException>(() => SharedChannel.WaitAny([reader], brief));
        await Assert.ThrowsAsync<TimeoutException>(async () => await SharedChannel.WaitAnyAsync([reader], brief));
        Assert.Equal(4, metrics.Single("neobuffer.waits.parked", "reader"));

        RingFill.UntilRefused(writer, new byte[1000]);
        Assert.True(reader.WaitToRead(brief)); // a message is there: no park
        Assert.Throws<TimeoutException>(() => writer.WaitToWrite(1000, brief));
        await Assert.ThrowsAsync<TimeoutException>(async () => await writer.WaitToWriteAsync(1000, brief));
        Assert.Equal(4, metrics.Single("neobuffer.waits.parked", "reader"));
        Assert.Equal(2, metrics.Single("neobuffer.waits.parked", "writer"));
    }

    [Theory]
    [InlineData(ChannelTopology.SingleProducerSingleConsumer)]
    [InlineData(ChannelTopology.MultiProducerSingleConsumer)]
    [InlineData(ChannelTopology.Broadcast)]
    public void Ring_used_is_what_the_slowest_reader_has_left_to_read(ChannelTopology topology)
    {
        using var channel = new TestChannel("metrics");
        using var metrics = new ChannelMeasurements(channel.Name);
        SharedChannelOptions options = channel.Options();
        options.Topology = topology;
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, options);
        using SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, channel.Options());
        using SharedChannelReader? second = topology == ChannelTopology.Broadcast ? SharedChannel.OpenReader(channel.Name, channel.Options()) : null;
        long Used() => metrics.Single("neobuffer.ring.used", "writer");

        Assert.Equal(0, Used());
        writer.TryWrite(0L);
        long record = Used(); // one record's footprint: its framing differs by topology, the arithmetic does not
        Assert.True(record >= sizeof(long));
        for (long i = 1; i < 10; i++)
        {
            writer.TryWrite(i);
        }

        Assert.Equal(10 * record, Used());
        for (int i = 0; i < 4; i++)
        {
            Assert.True(reader.TryRead(out long _));
        }

        // Broadcast: the subscriber that read nothing is the slowest.
        Assert.Equal((second is null ? 6 : 10) * record, Used());
        RingFill.Drain(reader, options.Capacity);
        if (second is not null)
        {
            RingFill.Drain(second, options.Capacity);
        }

        Assert.Equal(0, Used());
        Assert.DoesNotContain(metrics.Collect(), o => o.Instrument == "neobuffer.ring.used" && o.Role != "writer");
    }

    [Fact]
    public void Writing_and_reading_allocate_nothing_per_message_while_metrics_are_collected()
    {
        using var channel = new TestChannel("metrics");
        using var metrics = new ChannelMeasurements(channel.Name);
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options());
        using SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, channel.Options());
        byte[] payload = new byte[64];
        void Exchange(int messages)
        {
            for (int i = 0; i < messages; i++)
            {
                Assert.True(writer.TryWrite(payload));
                Assert.True(reader.TryLease(out ReadLease lease));
                lease.Dispose();
            }
        }

        Exchange(1000); // warm up: tiering and first-call work are not per message
        metrics.Collect();
        long[] windows = ThreadAllocations.PerWindow(() => Exchange(2_000));

        Assert.True(windows.Min() == 0, ThreadAllocations.Describe(windows, "2,000 messages"));
        Assert.Equal(11_000, metrics.Single("neobuffer.messages.read", "reader"));
    }

    private static int Drain(SharedChannelReader reader) => RingFill.Drain(reader, 4096);
}
