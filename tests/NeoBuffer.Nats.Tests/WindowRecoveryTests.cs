using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NATS.Client.Core;

namespace NeoBuffer.Nats.Tests;

/// <summary>The JetStream window's recovery paths, each driven to the state it recovers from.</summary>
public sealed class WindowRecoveryTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly string _url = fixture.Server.Url;

    [Fact]
    public async Task A_publish_the_client_refuses_is_published_again_with_the_window_and_stored_once_in_order()
    {
        // The 10th publish of the window fails in the client (a NatsException, not a missing acknowledgement), once.
        (int refused, NatsBridgeStatistics forwarded, List<long> stored) = await ForwardWithOnePublishSpoiltAsync(60, 10, forged: false);

        Assert.Equal(1, refused);
        Assert.Equal(60, forwarded.Messages);
        Assert.Equal(1, forwarded.Retries);
        Assert.Equal(Enumerable.Range(1, 60).Select(i => (long)i), stored);
    }

    [Fact]
    public async Task An_acknowledgement_naming_another_stream_than_Stream_does_not_release_the_record_it_is_published_again()
    {
        // The 5th publish never reaches the stream; its reply subject gets an acknowledgement from "SOMEONE-ELSE".
        (int forged, NatsBridgeStatistics forwarded, List<long> stored) = await ForwardWithOnePublishSpoiltAsync(20, 5, forged: true);

        Assert.Equal(1, forged);
        Assert.Equal(20, forwarded.Messages);
        Assert.Equal(1, forwarded.Retries);
        // Every record once; the lost one after those of its window the stream did store (the documented reorder).
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), stored.Order());
    }

    // Forwards readings 1..count through a window whose publish number spoilt is refused by the client or, forged,
    // answered by an acknowledgement from another stream; then reads back what the stream stored.
    private async Task<(int Spoilt, NatsBridgeStatistics Forwarded, List<long> Stored)> ForwardWithOnePublishSpoiltAsync(int count, int spoilt, bool forged)
    {
        (string subject, string stream) = Bridges.NewStreamNames();
        await using NatsConnection nats = Bridges.Connect(_url);
        using var cts = new CancellationTokenSource(Bridges.Bound);
        await NatsBridge.CreateStreamAsync(nats, stream, [subject], cancellationToken: cts.Token);

        INatsConnection spoiling = forged
            ? FailingPublishes.WrapForging(nats, n => n == spoilt, out FailingPublishes proxy)
            : FailingPublishes.Wrap(nats, n => n == spoilt, out proxy);
        using var near = new LocalChannel<Reading>("near");
        Bridges.WriteReadings(near.Writer, 1, count, cts.Token);
        near.Writer.Complete();
        NatsBridgeStatistics forwarded = await NatsBridge.ForwardAsync(near.Reader, spoiling, subject,
            new NatsForwardOptions { Mode = NatsBridgeMode.JetStream, Stream = stream, PublishEnd = false, RetryDelay = TimeSpan.FromMilliseconds(10) },
            cts.Token).WaitAsync(Bridges.Bound);
        return (proxy.Refused, forwarded, await Bridges.StoredReadingsAsync(nats, stream, count, cts.Token));
    }

    [Fact]
    public async Task After_an_empty_window_the_read_ahead_starts_again_at_a_record_the_reader_took_past_padding()
    {
        const int count = 150;
        (string subject, string stream) = Bridges.NewStreamNames();
        await using NatsConnection nats = Bridges.Connect(_url);
        using var cts = new CancellationTokenSource(Bridges.Bound);
        await NatsBridge.CreateStreamAsync(nats, stream, [subject], cancellationToken: cts.Token);

        // An MPSC ring of 4 KiB, one record at a time, each released before the next is written: whenever a record
        // does not fit before the ring's end, the read-ahead waits at the end of the last one, where the writer then
        // puts padding, and the reader (which zeroes what it skips) takes the record after it before the read-ahead
        // looks. Three wraps of the ring, so three times.
        var statistics = new NatsBridgeStatistics();
        using var near = new LocalChannel<Reading>("near", new SharedChannelOptions { Topology = ChannelTopology.MultiProducerSingleConsumer, Capacity = 4096 });
        Task<NatsBridgeStatistics> forward = Task.Run(() => NatsBridge.ForwardAsync(near.Reader, nats, subject,
            new NatsForwardOptions { Mode = NatsBridgeMode.JetStream, Stream = stream, PublishEnd = false, Statistics = statistics }, cts.Token));
        for (int i = 1; i <= count; i++)
        {
            Bridges.WriteReadings(near.Writer, i, i, cts.Token);
            int written = i;
            Assert.True(SpinWait.SpinUntil(() => statistics.Messages == written || forward.IsCompleted, Bridges.Bound), $"record {i} was not released: {statistics}");
            if (forward.IsCompleted)
            {
                await forward; // the bridge stopped: its exception is the failure
            }
        }

        near.Writer.Complete();
        NatsBridgeStatistics forwarded = await forward.WaitAsync(Bridges.Bound);
        Assert.Equal(count, forwarded.Messages);
        Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), await Bridges.StoredReadingsAsync(nats, stream, count, cts.Token));
    }
}
