using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace NeoBuffer.Nats.Tests;

/// <summary>JetStream mode against a real nats-server: persistence, acknowledgement after commit, restarts.</summary>
public sealed class JetStreamBridgeTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly string _url = fixture.Server.Url;

    [Fact]
    public async Task Records_go_through_a_stream_and_a_receiver_started_later_replays_them_all()
    {
        const int count = 1500;
        (string subject, string stream) = Bridges.NewStreamNames();
        await using NatsConnection nats = Bridges.Connect(_url);
        using var cts = new CancellationTokenSource(Bridges.Bound);
        await NatsBridge.CreateStreamAsync(nats, stream, [subject], cancellationToken: cts.Token);

        // Forward first, with nobody receiving: the stream keeps everything.
        using var near = new LocalChannel<Reading>("near");
        Task<NatsBridgeStatistics> forward = Task.Run(() => NatsBridge.ForwardAsync(near.Reader, nats, subject,
            new NatsForwardOptions { Mode = NatsBridgeMode.JetStream, Stream = stream }, cts.Token));
        Bridges.WriteReadings(near.Writer, 1, count, cts.Token);
        near.Writer.Complete();
        NatsBridgeStatistics forwarded = await forward.WaitAsync(Bridges.Bound);
        Assert.Equal(count, forwarded.Messages);
        Assert.Equal(0, forwarded.Duplicates);

        using var far = new LocalChannel<Reading>("far");
        Task<List<long>> read = Task.Run(() => Bridges.ReadReadings(far.Reader));
        NatsBridgeStatistics received = await NatsBridge.ReceiveAsync(nats, subject, far.Writer,
            new NatsReceiveOptions { Mode = NatsBridgeMode.JetStream, Stream = stream, Consumer = "far" }, cts.Token).WaitAsync(Bridges.Bound);

        Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), await read.WaitAsync(Bridges.Bound));
        Assert.Equal(count, received.Messages);
        Assert.Equal(forwarded.Bytes, received.Bytes);
    }

    [Fact]
    public async Task A_retried_publish_with_the_same_message_id_is_dropped_by_the_stream()
    {
        (string subject, string stream) = Bridges.NewStreamNames();
        await using NatsConnection nats = Bridges.Connect(_url);
        using var cts = new CancellationTokenSource(Bridges.Bound);
        await NatsBridge.CreateStreamAsync(nats, stream, [subject], cancellationToken: cts.Token);

        // Two runs under one bridge id publish the same sequence numbers: what a retry after a lost acknowledgement does.
        var statistics = new NatsBridgeStatistics();
        var logger = new ListLogger();
        for (int run = 0; run < 2; run++)
        {
            string name = Bridges.NewName("dup");
            using SharedChannelWriter<Reading> writer = SharedChannel.CreateWriter<Reading>(name);
            using SharedChannelReader<Reading> reader = SharedChannel.OpenReader<Reading>(name);
            Bridges.WriteReadings(writer, 1, 10);
            writer.Complete();
            await NatsBridge.ForwardAsync(reader, nats, subject,
                new NatsForwardOptions { Mode = NatsBridgeMode.JetStream, Stream = stream, BridgeId = "fixed", Statistics = statistics, PublishEnd = false, Logger = logger },
                cts.Token).WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : throw new Exception(string.Join("\n", logger.Entries.Select(e => e.Message)), t.Exception));
        }

        var js = new NatsJSContext(nats);
        INatsJSStream info = await js.GetStreamAsync(stream, cancellationToken: cts.Token);
        Assert.Equal(10L, (long)info.Info.State.Messages);
        Assert.Equal(10, statistics.Duplicates);
    }

    [Fact]
    public async Task The_bridge_reads_ahead_through_the_readers_own_channel_file_in_any_directory_not_a_namesake_in_the_default_one()
    {
        const int count = 300;
        await using NatsConnection nats = Bridges.Connect(_url);
        using var cts = new CancellationTokenSource(Bridges.Bound);
        string elsewhere = System.IO.Directory.CreateTempSubdirectory("nats-js-elsewhere-").FullName;
        try
        {
            // ForwardAsync(reader) is not told the directory. In another one, with a channel of the same name in the
            // default directory whose first record is the same and whose later ones are not: the bridge must read
            // ahead through the file the reader has mapped, not through the namesake (nor give up the window).
            foreach (string? directory in new[] { null, elsewhere })
            {
                (string subject, string stream) = Bridges.NewStreamNames();
                await NatsBridge.CreateStreamAsync(nats, stream, [subject], cancellationToken: cts.Token);
                var logger = new ListLogger();
                string name = Bridges.NewName("ahead");
                var options = new SharedChannelOptions { Directory = directory };
                using SharedChannelWriter<Reading>? namesake = directory is null ? null : SharedChannel.CreateWriter<Reading>(name);
                if (namesake is not null)
                {
                    Bridges.WriteReadings(namesake, 1, 1, cts.Token);
                    Bridges.WriteReadings(namesake, 501, 500 + count - 1, cts.Token);
                }

                using (SharedChannelWriter<Reading> writer = SharedChannel.CreateWriter<Reading>(name, options))
                using (SharedChannelReader<Reading> reader = SharedChannel.OpenReader<Reading>(name, options))
                {
                    Bridges.WriteReadings(writer, 1, count, cts.Token);
                    writer.Complete();
                    NatsBridgeStatistics forwarded = await NatsBridge.ForwardAsync(reader, nats, subject,
                        new NatsForwardOptions { Mode = NatsBridgeMode.JetStream, Stream = stream, PublishEnd = false, Logger = logger }, cts.Token).WaitAsync(Bridges.Bound);
                    Assert.Equal(count, forwarded.Messages);
                    Assert.Equal(0, forwarded.Retries);
                }

                Assert.DoesNotContain(logger.Entries, e => e.Message.Contains("one message at a time", StringComparison.Ordinal));
                Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), await Bridges.StoredReadingsAsync(nats, stream, count, cts.Token));
            }
        }
        finally
        {
            SharedChannel.RemoveStale(elsewhere);
            System.IO.Directory.Delete(elsewhere, recursive: true);
        }
    }

    [Theory]
    [InlineData(ChannelTopology.SingleProducerSingleConsumer)]
    [InlineData(ChannelTopology.MultiProducerSingleConsumer)]
    [InlineData(ChannelTopology.Broadcast)]
    public async Task A_window_over_a_small_ring_that_wraps_stores_every_record_once_in_order_for_every_topology(ChannelTopology topology)
    {
        const int count = 1500;
        (string subject, string stream) = Bridges.NewStreamNames();
        await using NatsConnection nats = Bridges.Connect(_url);
        using var cts = new CancellationTokenSource(Bridges.Bound);
        await NatsBridge.CreateStreamAsync(nats, stream, [subject], cancellationToken: cts.Token);

        // A 4 KiB ring holds a few dozen records: the producer wraps it many times (padding records at its end) while
        // the window reads ahead of the held record; the broadcast reader is a tethered subscriber.
        var logger = new ListLogger();
        string name = Bridges.NewName("wrap");
        using (SharedChannelWriter<Reading> writer = SharedChannel.CreateWriter<Reading>(name, new SharedChannelOptions { Topology = topology, Capacity = 4096 }))
        using (SharedChannelReader<Reading> reader = SharedChannel.OpenReader<Reading>(name))
        {
            Task<NatsBridgeStatistics> forward = Task.Run(() => NatsBridge.ForwardAsync(reader, nats, subject,
                new NatsForwardOptions { Mode = NatsBridgeMode.JetStream, Stream = stream, PublishEnd = false, Logger = logger }, cts.Token));
            Bridges.WriteReadings(writer, 1, count, cts.Token);
            writer.Complete();
            NatsBridgeStatistics forwarded = await forward.WaitAsync(Bridges.Bound);
            Assert.Equal(count, forwarded.Messages);
        }

        Assert.DoesNotContain(logger.Entries, e => e.Message.Contains("one message at a time", StringComparison.Ordinal));
        var js = new NatsJSContext(nats);
        INatsJSConsumer consumer = await js.CreateOrUpdateConsumerAsync(stream, new NATS.Client.JetStream.Models.ConsumerConfig { AckPolicy = NATS.Client.JetStream.Models.ConsumerConfigAckPolicy.None }, cts.Token);
        var stored = new List<long>();
        await foreach (NatsJSMsg<byte[]> message in consumer.FetchAsync<byte[]>(new NatsJSFetchOpts { MaxMsgs = count }, cancellationToken: cts.Token))
        {
            stored.Add(new Reading.View(Bridges.RecordOf(message.Data)!).Sequence);
        }

        Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), stored);
    }

    [Fact]
    public async Task A_stopped_receiver_loses_nothing_the_next_one_under_the_same_consumer_resumes_after_the_last_commit()
    {
        const int count = 600;
        (string subject, string stream) = Bridges.NewStreamNames();
        await using NatsConnection nats = Bridges.Connect(_url);
        using var cts = new CancellationTokenSource(Bridges.Bound);
        await NatsBridge.CreateStreamAsync(nats, stream, [subject], cancellationToken: cts.Token);

        string nearName = Bridges.NewName("near");
        using (SharedChannelWriter<Reading> nearWriter = SharedChannel.CreateWriter<Reading>(nearName))
        using (SharedChannelReader<Reading> nearReader = SharedChannel.OpenReader<Reading>(nearName))
        {
            Bridges.WriteReadings(nearWriter, 1, count);
            nearWriter.Complete();
            await NatsBridge.ForwardAsync(nearReader, nats, subject, new NatsForwardOptions { Mode = NatsBridgeMode.JetStream, Stream = stream }, cts.Token);
        }

        // The first receiver is stopped once part of the stream reached the channel; the second takes over the consumer.
        string farName = Bridges.NewName("far");
        // A small ring, so that the first bridge is still waiting for room (far from the end marker) when it is stopped.
        using SharedChannelWriter<Reading> farWriter = SharedChannel.CreateWriter<Reading>(farName, new SharedChannelOptions { Capacity = 4096 });
        using SharedChannelReader<Reading> farReader = SharedChannel.OpenReader<Reading>(farName);
        var first = new NatsBridgeStatistics();
        using (var stop = CancellationTokenSource.CreateLinkedTokenSource(cts.Token))
        {
            var options = new NatsReceiveOptions { Mode = NatsBridgeMode.JetStream, Stream = stream, Consumer = "resume", AckWait = TimeSpan.FromSeconds(1), Statistics = first };
            Task<NatsBridgeStatistics> run = Task.Run(() => NatsBridge.ReceiveAsync(nats, subject, farWriter, options, stop.Token));
            List<long> part = Bridges.ReadReadings(farReader, count: 100);
            Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), part);
            stop.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(Bridges.Bound));
        }

        Task<List<long>> read = Task.Run(() => Bridges.ReadReadings(farReader));
        NatsBridgeStatistics second = await Task.Run(() => NatsBridge.ReceiveAsync(nats, subject, farWriter,
            new NatsReceiveOptions { Mode = NatsBridgeMode.JetStream, Stream = stream, Consumer = "resume", AckWait = TimeSpan.FromSeconds(1) }, cts.Token))
            .WaitAsync(Bridges.Bound);
        List<long> rest = await read.WaitAsync(Bridges.Bound);

        // Everything the first committed was acknowledged, so nothing comes twice; what it had pulled but not
        // committed comes again after AckWait, so nothing is lost (the end marker waits for it).
        Assert.True(Enumerable.Range(101, count - 100).Select(i => (long)i).SequenceEqual(rest.Order()),
            $"first: {first}; second: {second}; read: {string.Join(",", rest)}");
        Assert.Equal(count, first.Messages + second.Messages);
    }

    [Fact]
    public async Task A_server_killed_and_restarted_mid_stream_loses_nothing_either_way()
    {
        const int count = 3000;
        await using NatsServer server = await NatsServer.StartAsync();
        (string subject, string stream) = Bridges.NewStreamNames();
        await using NatsConnection nearNats = Bridges.Connect(server.Url);
        await using NatsConnection farNats = Bridges.Connect(server.Url);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(45));
        await NatsBridge.CreateStreamAsync(nearNats, stream, [subject], cancellationToken: cts.Token);

        using var far = new LocalChannel<Reading>("far");
        Task<NatsBridgeStatistics> receive = await Bridges.StartReceiveAsync(o => NatsBridge.ReceiveAsync(farNats, subject, far.Writer, o, cts.Token),
            new NatsReceiveOptions { Mode = NatsBridgeMode.JetStream, Stream = stream, Consumer = "far", AckWait = TimeSpan.FromSeconds(2) });

        using var near = new LocalChannel<Reading>("near");
        var forwarded = new NatsBridgeStatistics();
        Task<NatsBridgeStatistics> forward = Task.Run(() => NatsBridge.ForwardAsync(near.Reader, nearNats, subject,
            new NatsForwardOptions { Mode = NatsBridgeMode.JetStream, Stream = stream, AckTimeout = TimeSpan.FromSeconds(1), RetryDelay = TimeSpan.FromMilliseconds(100), Statistics = forwarded },
            cts.Token));

        var sequences = new List<long>();
        Task<List<long>> read = Task.Run(() => Bridges.ReadReadings(far.Reader));
        Bridges.WriteReadings(near.Writer, 1, count / 2, cts.Token);
        Assert.True(SpinWait.SpinUntil(() => forwarded.Messages > 100, Bridges.Bound), $"the bridge forwarded too little: {forwarded}");
        await server.RestartAsync();
        Bridges.WriteReadings(near.Writer, count / 2 + 1, count, cts.Token);
        near.Writer.Complete();

        await forward.WaitAsync(cts.Token);
        await receive.WaitAsync(cts.Token);
        sequences = await read.WaitAsync(cts.Token);
        Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), sequences.Distinct().Order());
    }
}
