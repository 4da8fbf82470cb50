using System;
using System.Linq;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;

namespace NeoBuffer.Nats.Tests;

/// <summary>Both directions over core NATS, against a real nats-server, with real shared-memory channels on each side.</summary>
public sealed class CoreBridgeTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly string _url = fixture.Server.Url;

    [Fact]
    public async Task Typed_records_cross_byte_exact_in_order_and_the_end_completes_the_far_channel()
    {
        const int count = 2000;
        string subject = Bridges.NewSubject("core");
        await using NatsConnection nats = Bridges.Connect(_url);
        using var cts = new CancellationTokenSource(Bridges.Bound);

        using var far = new LocalChannel<Reading>("far");
        Task<NatsBridgeStatistics> receive = await Bridges.StartReceiveAsync(
            o => NatsBridge.ReceiveAsync(nats, subject, far.Writer, o, cts.Token), new NatsReceiveOptions());

        using var near = new LocalChannel<Reading>("near");
        Task<NatsBridgeStatistics> forward = Task.Run(() => NatsBridge.ForwardAsync(near.Reader, nats, subject, cancellationToken: cts.Token));

        Task<System.Collections.Generic.List<long>> read = Task.Run(() => Bridges.ReadReadings(far.Reader));
        Bridges.WriteReadings(near.Writer, 1, count, cts.Token);
        near.Writer.Complete();

        NatsBridgeStatistics forwarded = await forward.WaitAsync(Bridges.Bound);
        NatsBridgeStatistics received = await receive.WaitAsync(Bridges.Bound);
        var sequences = await read.WaitAsync(Bridges.Bound);

        Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), sequences);
        Assert.Equal(count, forwarded.Messages);
        Assert.Equal(count, received.Messages);
        Assert.Equal(forwarded.Bytes, received.Bytes);
        Assert.Equal(0, received.Rejected + received.Malformed + received.Dropped);
        await far.Reader.Completion.WaitAsync(Bridges.Bound);
    }

    [Fact]
    public async Task Records_written_straight_from_the_nats_buffer_and_those_queued_behind_a_full_ring_arrive_once_in_order()
    {
        const int count = 3000;
        string subject = Bridges.NewSubject("direct");
        await using NatsConnection publisher = Bridges.Connect(_url);
        await using NatsConnection subscriber = Bridges.Connect(_url);
        using var cts = new CancellationTokenSource(Bridges.Bound);

        // A 4 KiB ring nobody reads until everything is sent: the first records go straight from NATS.Net's read
        // buffer into the ring, the rest queue behind the full ring (lossless: NATS.Net's reader waits when the queue
        // is full), and once the reader drains the ring the queue is written in order, then straight writes resume.
        using StalledRing stalled = await StalledRing.StartAsync(subscriber, subject, new NatsReceiveOptions(), cts.Token);
        LocalChannel<Reading> far = stalled.Far;
        Task<NatsBridgeStatistics> receive = stalled.Receive;
        await StalledRing.FloodAsync(publisher, subject, count, cts.Token);

        Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), Bridges.ReadReadings(far.Reader));
        NatsBridgeStatistics received = await receive.WaitAsync(Bridges.Bound);
        Assert.Equal(count, received.Messages);
        Assert.InRange(received.DirectRecords, 1, count - 1); // both ways were taken
        Assert.Equal(0, received.Dropped + received.Malformed + received.Rejected);
    }

    [Fact]
    public async Task Stopping_a_bridge_whose_nats_reader_waits_for_room_drops_nothing_and_reports_no_slow_consumer()
    {
        string subject = Bridges.NewSubject("stop-full");
        await using NatsConnection publisher = Bridges.Connect(_url);
        await using NatsConnection subscriber = Bridges.Connect(_url, pendingCapacity: 1);
        using var cts = new CancellationTokenSource(Bridges.Bound);
        using var stop = new CancellationTokenSource();
        var logger = new ListLogger();

        // A 4 KiB ring nobody reads and a queue of one: once the ring is full, NATS.Net's reader waits for room.
        using StalledRing stalled = await StalledRing.StartAsync(subscriber, subject, new NatsReceiveOptions { Logger = logger }, stop.Token);
        LocalChannel<Reading> far = stalled.Far;
        Task<NatsBridgeStatistics> receive = stalled.Receive;
        NatsBridgeStatistics statistics = stalled.Statistics;
        await StalledRing.FloodAsync(publisher, subject, 300, cts.Token);
        ChannelSnapshot ring = ChannelInspector.Snapshot(far.Name);
        while (ring.Capacity - (ring.Tail - ring.Head) > 256)
        {
            await Task.Yield(); // until the ring is full
            cts.Token.ThrowIfCancellationRequested();
            ring = ChannelInspector.Snapshot(far.Name);
        }

        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => receive.WaitAsync(Bridges.Bound));
        await subscriber.DisposeAsync(); // its reader loop ends once the waiting delivery has: what it counts is counted
        Assert.Equal((0L, 0L), (statistics.Dropped, statistics.SlowConsumerEvents));
        Assert.DoesNotContain(logger.Entries, e => e.Message.Contains("slow consumer"));
    }

    [Fact]
    public async Task With_batching_off_each_message_is_a_24_byte_envelope_then_the_record_itself_with_no_headers()
    {
        string subject = Bridges.NewSubject("envelope");
        await using NatsConnection nats = Bridges.Connect(_url);
        using var cts = new CancellationTokenSource(Bridges.Bound);
        await using INatsSub<byte[]> sub = await nats.SubscribeCoreAsync<byte[]>(subject, cancellationToken: cts.Token);
        await nats.PingAsync(cts.Token);

        string name = Bridges.NewName("env");
        using SharedChannelWriter<Reading> writer = SharedChannel.CreateWriter<Reading>(name);
        using SharedChannelReader<Reading> reader = SharedChannel.OpenReader<Reading>(name);
        Bridges.WriteReadings(writer, 7, 8);
        writer.Complete();
        await NatsBridge.ForwardAsync(reader, nats, subject, new NatsForwardOptions { MaxBatchBytes = 0 }, cts.Token);

        // The bytes as docs/nats.md gives them: 'N' 'B', version 1, kind 0, four zeros, fingerprint, sequence (LE).
        NatsMsg<byte[]> first = await sub.Msgs.ReadAsync(cts.Token);
        Assert.Null(first.Headers);
        Assert.Equal(new byte[] { (byte)'N', (byte)'B', 1, 0, 0, 0, 0, 0 }, first.Data![..8]);
        Assert.Equal(Reading.Layout.Fingerprint, BitConverter.ToUInt64(first.Data, 8));
        Assert.Equal(1L, BitConverter.ToInt64(first.Data, 16));
        var view = new Reading.View(first.Data[24..]);
        Assert.Equal(7, view.Sequence);
        Assert.Equal(Bridges.LabelOf(7), view.Label);

        NatsMsg<byte[]> second = await sub.Msgs.ReadAsync(cts.Token);
        Assert.Equal(2L, BitConverter.ToInt64(second.Data!, 16));
        NatsMsg<byte[]> end = await sub.Msgs.ReadAsync(cts.Token);
        Assert.Null(end.Headers);
        Assert.Equal(24, end.Data!.Length); // nothing after the envelope: completed without an error
        Assert.Equal(1, end.Data[3]);
        Assert.Equal(2L, BitConverter.ToInt64(end.Data, 16)); // the run's record count
    }

    [Fact]
    public async Task Another_schema_the_previous_wire_format_or_another_envelope_version_is_refused_counted_logged_once_per_kind_and_never_written()
    {
        string subject = Bridges.NewSubject("schema");
        await using NatsConnection nats = Bridges.Connect(_url);
        using var cts = new CancellationTokenSource(Bridges.Bound);
        var logger = new ListLogger();

        using var far = new LocalChannel<Reading>("far");
        Task<NatsBridgeStatistics> receive = await Bridges.StartReceiveAsync(
            o => NatsBridge.ReceiveAsync(nats, subject, far.Writer, o, cts.Token), new NatsReceiveOptions { Logger = logger });

        // A channel of another schema forwarded to the same subject, then raw bytes with no NeoBuffer headers at all.
        string otherName = Bridges.NewName("other");
        using (SharedChannelWriter<Other> otherWriter = SharedChannel.CreateWriter<Other>(otherName))
        using (SharedChannelReader<Other> otherReader = SharedChannel.OpenReader<Other>(otherName))
        {
            for (int i = 0; i < 50; i++)
            {
                otherWriter.Write(new Other { Sequence = i, Value = i });
            }

            otherWriter.Complete();
            await NatsBridge.ForwardAsync(otherReader, nats, subject, new NatsForwardOptions { PublishEnd = false }, cts.Token);
        }

        await nats.PublishAsync(subject, new byte[40], cancellationToken: cts.Token);

        // As a bridge of the previous format sent it: the record alone, its metadata in NeoBuffer-* headers; even a
        // record that happens to begin like an envelope is refused, not misread. Then a later envelope version.
        byte[] record = new byte[Reading.Layout.FixedSize];
        var previous = new NatsHeaders { ["NeoBuffer-Fingerprint"] = Reading.Layout.Fingerprint.ToString("x16"), ["NeoBuffer-Seq"] = "1" };
        await nats.PublishAsync(subject, record, previous, cancellationToken: cts.Token);
        await nats.PublishAsync(subject, Bridges.Enveloped(Reading.Layout.Fingerprint, record), previous, cancellationToken: cts.Token);
        byte[] later = Bridges.Enveloped(Reading.Layout.Fingerprint, record);
        later[2] = 2;
        await nats.PublishAsync(subject, later, cancellationToken: cts.Token);

        // Then the right schema, which must arrive alone.
        using var near = new LocalChannel<Reading>("near");
        Bridges.WriteReadings(near.Writer, 1, 3);
        near.Writer.Complete();
        await NatsBridge.ForwardAsync(near.Reader, nats, subject, cancellationToken: cts.Token);

        NatsBridgeStatistics received = await receive.WaitAsync(Bridges.Bound);
        Assert.Equal([1L, 2L, 3L], Bridges.ReadReadings(far.Reader));
        Assert.Equal(54, received.Rejected);
        Assert.Equal(0, received.Malformed);
        Assert.Equal(3, received.Messages);
        var refusals = logger.Entries.Where(e => e.Level == LogLevel.Warning && e.Message.Contains("refused messages")).ToList();
        Assert.Equal(4, refusals.Count); // once per kind: Other's fingerprint, no envelope, the previous format, version 2
        Assert.Contains(refusals, e => e.Message.Contains(Other.Layout.Fingerprint.ToString("x16")));
        Assert.Contains(refusals, e => e.Message.Contains("without a NeoBuffer envelope"));
        Assert.Contains(refusals, e => e.Message.Contains("previous wire format"));
        Assert.Contains(refusals, e => e.Message.Contains("envelope version 2"));
    }

    [Fact]
    public async Task A_malformed_record_with_the_right_fingerprint_never_enters_the_ring()
    {
        string subject = Bridges.NewSubject("malformed");
        await using NatsConnection nats = Bridges.Connect(_url);
        using var cts = new CancellationTokenSource(Bridges.Bound);

        using var far = new LocalChannel<Reading>("far");
        Task<NatsBridgeStatistics> receive = await Bridges.StartReceiveAsync(
            o => NatsBridge.ReceiveAsync(nats, subject, far.Writer, o, cts.Token), new NatsReceiveOptions());

        int fixedSize = Reading.Layout.FixedSize;
        int labelAt = Reading.Layout.Fields.Single(f => f.Name == "Label").Offset;
        int samplesAt = Reading.Layout.Fields.Single(f => f.Name == "Samples").Offset;

        byte[] outside = new byte[fixedSize + 8];
        BitConverter.TryWriteBytes(outside.AsSpan(labelAt), (uint)fixedSize);
        BitConverter.TryWriteBytes(outside.AsSpan(labelAt + 4), 1000u); // runs past the record
        byte[] misaligned = new byte[fixedSize + 16];
        BitConverter.TryWriteBytes(misaligned.AsSpan(samplesAt), (uint)fixedSize + 1);
        BitConverter.TryWriteBytes(misaligned.AsSpan(samplesAt + 4), 4u); // one int32 at an odd offset
        byte[] wrapping = new byte[fixedSize + 8];
        BitConverter.TryWriteBytes(wrapping.AsSpan(labelAt), uint.MaxValue);
        BitConverter.TryWriteBytes(wrapping.AsSpan(labelAt + 4), 2u); // offset + length overflows 32 bits
        byte[] shortRecord = new byte[fixedSize - 1];
        foreach (byte[] bad in new[] { outside, misaligned, wrapping, shortRecord })
        {
            await nats.PublishAsync(subject, Bridges.Enveloped(Reading.Layout.Fingerprint, bad), cancellationToken: cts.Token);
        }

        using var near = new LocalChannel<Reading>("near");
        Bridges.WriteReadings(near.Writer, 1, 2);
        near.Writer.Complete();
        await NatsBridge.ForwardAsync(near.Reader, nats, subject, cancellationToken: cts.Token);

        NatsBridgeStatistics received = await receive.WaitAsync(Bridges.Bound);
        Assert.Equal([1L, 2L], Bridges.ReadReadings(far.Reader));
        Assert.Equal(4, received.Malformed);
        Assert.Equal(0, received.Rejected);
    }

    [Fact]
    public async Task A_slow_local_reader_makes_the_nats_client_drop_and_count_but_never_blocks_the_publisher()
    {
        const int count = 3000;
        string subject = Bridges.NewSubject("slow");
        await using NatsConnection publisher = Bridges.Connect(_url);
        await using NatsConnection subscriber = Bridges.Connect(_url, pendingCapacity: 16, lossless: false);
        using var cts = new CancellationTokenSource(Bridges.Bound);

        // A 4 KiB ring nobody reads until the flood is over: the bridge waits for room, its pending buffer overflows.
        using StalledRing stalled = await StalledRing.StartAsync(subscriber, subject, new NatsReceiveOptions(), cts.Token);
        LocalChannel<Reading> far = stalled.Far;
        Task<NatsBridgeStatistics> receive = stalled.Receive;
        NatsBridgeStatistics statistics = stalled.Statistics;
        NatsBridgeStatistics forwarded = await StalledRing.FloodAsync(publisher, subject, count, cts.Token);
        Assert.Equal(count, forwarded.Messages);

        var sequences = Bridges.ReadReadings(far.Reader);
        NatsBridgeStatistics received = await receive.WaitAsync(Bridges.Bound).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : statistics);
        Assert.True(received.Dropped > 0, $"nothing was dropped: {received}");
        Assert.True(received.SlowConsumerEvents > 0, $"no slow-consumer event: {received}");
        Assert.Equal(received.Messages, sequences.Count);
        Assert.True(sequences.SequenceEqual(sequences.Order()), "what arrived is in order");
        Assert.True(received.Messages + received.Dropped <= count + 1, $"more arrived than was sent: {received}");
    }

    [Fact]
    public async Task A_local_channel_completed_with_an_error_ends_the_far_channel_with_that_error()
    {
        string subject = Bridges.NewSubject("fault");
        await using NatsConnection nats = Bridges.Connect(_url);
        using var cts = new CancellationTokenSource(Bridges.Bound);

        using var far = new LocalChannel<Reading>("far");
        Task<NatsBridgeStatistics> receive = await Bridges.StartReceiveAsync(
            o => NatsBridge.ReceiveAsync(nats, subject, far.Writer, o, cts.Token), new NatsReceiveOptions());

        using var near = new LocalChannel<Reading>("near");
        Bridges.WriteReadings(near.Writer, 1, 5);
        near.Writer.Complete(new InvalidOperationException("camera unplugged"));

        await Assert.ThrowsAsync<ChannelClosedException>(() => NatsBridge.ForwardAsync(near.Reader, nats, subject, cancellationToken: cts.Token));
        await receive.WaitAsync(Bridges.Bound);
        Assert.Equal([1L, 2L, 3L, 4L, 5L], Bridges.ReadReadingsUntilFault(far.Reader, out Exception? fault));
        Assert.True(fault?.Message.Contains("camera unplugged") == true, fault?.Message ?? "no fault");
    }

    [Fact]
    public async Task An_inbound_bridge_whose_channel_another_writer_completed_stops_at_the_next_message_and_says_so_once()
    {
        string subject = Bridges.NewSubject("completed");
        await using NatsConnection nats = Bridges.Connect(_url);
        using var cts = new CancellationTokenSource(Bridges.Bound);

        var logger = new ListLogger();
        using var far = new LocalChannel<Reading>("far", new SharedChannelOptions { Topology = ChannelTopology.MultiProducerSingleConsumer });
        Task<NatsBridgeStatistics> receive = await Bridges.StartReceiveAsync(
            o => NatsBridge.ReceiveAsync(nats, subject, far.Writer, o, cts.Token), new NatsReceiveOptions { Logger = logger });
        using (SharedChannelWriter<Reading> other = SharedChannel.OpenWriter<Reading>(far.Name))
        {
            other.Complete();
        }

        // Three records and no end marker: only the channel's completion can end the bridge.
        using var near = new LocalChannel<Reading>("near");
        Bridges.WriteReadings(near.Writer, 1, 3);
        near.Writer.Complete();
        await NatsBridge.ForwardAsync(near.Reader, nats, subject, new NatsForwardOptions { PublishEnd = false, MaxBatchBytes = 0 }, cts.Token);

        NatsBridgeStatistics received = await receive.WaitAsync(Bridges.Bound);
        Assert.Equal(0, received.Messages);
        Assert.Empty(Bridges.ReadReadings(far.Reader));
        Assert.Single(logger.Entries, e => e.Message.Contains("completed locally", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_lossy_subscriber_bridge_never_holds_the_producer_back_and_counts_what_it_lost()
    {
        const int count = 20_000;
        string subject = Bridges.NewSubject("lossy");
        await using NatsConnection nats = Bridges.Connect(_url);
        using var cts = new CancellationTokenSource(Bridges.Bound);
        // A subscriber nobody reads, on a connection of its own that drops what overflows: on the bridge's connection,
        // in NATS.Net's default Wait mode, its full buffer would stop that connection's reader, and with it the PONG
        // the bridge waits for after the end marker.
        await using NatsConnection sinkConnection = Bridges.Connect(_url, lossless: false);
        await using INatsSub<byte[]> sink = await sinkConnection.SubscribeCoreAsync<byte[]>(subject, cancellationToken: cts.Token);
        await sinkConnection.PingAsync(cts.Token);

        string name = Bridges.NewName("bcast");
        using SharedChannelWriter<Reading> writer = SharedChannel.CreateWriter<Reading>(name,
            new SharedChannelOptions { Topology = ChannelTopology.Broadcast, Capacity = 8192 });
        using SharedChannelReader<Reading> lossy = SharedChannel.OpenReader<Reading>(name, new SharedChannelOptions { SubscriberMode = SubscriberMode.Lossy });
        var statistics = new NatsBridgeStatistics();
        Task<NatsBridgeStatistics> forward = Task.Run(() => NatsBridge.ForwardAsync(lossy, nats, subject, new NatsForwardOptions { Statistics = statistics }, cts.Token));

        // The producer writes with TryClaim only: with a lossy subscriber as the only reader, it must never find the ring full.
        Bridges.WriteReadings(writer, 1, count, cts.Token);
        writer.Complete();
        NatsBridgeStatistics forwarded = await forward.WaitAsync(Bridges.Bound);

        Assert.Equal(count, forwarded.Messages + forwarded.Lost);
        Assert.True(forwarded.Messages > 0);
    }

    [Fact]
    public async Task The_inbound_bridge_fails_clearly_when_its_local_reader_has_gone_and_the_ring_is_full()
    {
        string subject = Bridges.NewSubject("gone");
        await using NatsConnection nats = Bridges.Connect(_url);
        using var cts = new CancellationTokenSource(Bridges.Bound);

        string farName = Bridges.NewName("far");
        using SharedChannelWriter<Reading> farWriter = SharedChannel.CreateWriter<Reading>(farName, new SharedChannelOptions { Capacity = 4096 });
        SharedChannelReader<Reading> farReader = SharedChannel.OpenReader<Reading>(farName);
        farReader.Dispose(); // the reader left: nobody will ever make room
        Task<NatsBridgeStatistics> receive = await Bridges.StartReceiveAsync(
            o => NatsBridge.ReceiveAsync(nats, subject, farWriter, o, cts.Token), new NatsReceiveOptions());

        using var near = new LocalChannel<Reading>("near");
        Bridges.WriteReadings(near.Writer, 1, 200);
        near.Writer.Complete();
        await NatsBridge.ForwardAsync(near.Reader, nats, subject, cancellationToken: cts.Token);

        await Assert.ThrowsAsync<ChannelClosedException>(() => receive.WaitAsync(Bridges.Bound));
    }
}
