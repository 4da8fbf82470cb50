using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NATS.Client.Core;

namespace NeoBuffer.Nats.Tests;

/// <summary>
/// JetStream inbound under the faults a network (or a failing node) causes between the server and the bridge: a
/// delivery lost on its way in, an acknowledgement lost on its way out. Each is made at a chosen stream sequence.
/// </summary>
public sealed class DeliveryFaultTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const int Count = 10;
    private const ulong Faulted = 3;

    private readonly string _url = fixture.Server.Url;

    [Fact]
    public async Task A_delivery_lost_in_flight_below_later_commits_is_written_when_it_comes_again_before_the_end()
    {
        // The server counts message 3 delivered, the bridge never sees it, and commits 4 to 10: 3 comes back after
        // AckWait as a redelivery below what this run committed. It is not a repeat, and the end marker must wait for it.
        (List<long> read, NatsBridgeStatistics received) = await ReceiveWithAsync(new NatsReceiveOptions { LosesDelivery = (stream, deliveries) => stream == Faulted && deliveries == 1 });

        Assert.Equal(Enumerable.Range(1, Count).Select(i => (long)i), read.Order());
        Assert.Equal(Count, received.Messages);
        Assert.Equal(0, received.Duplicates);
    }

    [Fact]
    public async Task A_commit_whose_acknowledgement_was_lost_is_acknowledged_again_not_written_twice_and_the_end_waits_for_it()
    {
        (List<long> read, NatsBridgeStatistics received) = await ReceiveWithAsync(new NatsReceiveOptions { LosesAcknowledgement = (stream, deliveries) => stream == Faulted && deliveries == 1 });

        Assert.Equal(Enumerable.Range(1, Count).Select(i => (long)i), read);
        Assert.Equal(Count, received.Messages);
        Assert.Equal(1, received.Duplicates);
    }

    // Stores readings 1 to Count, one stream message each (stream sequence = reading), then the end marker, and
    // receives them all through one run with the fault in its options.
    private async Task<(List<long> Read, NatsBridgeStatistics Received)> ReceiveWithAsync(NatsReceiveOptions options)
    {
        (string subject, string stream) = Bridges.NewStreamNames();
        await using NatsConnection nats = Bridges.Connect(_url);
        using var cts = new CancellationTokenSource(Bridges.Bound);
        await NatsBridge.CreateStreamAsync(nats, stream, [subject], cancellationToken: cts.Token);

        using (var near = new LocalChannel<Reading>("near"))
        {
            var forwarded = new NatsBridgeStatistics();
            Task<NatsBridgeStatistics> forward = Task.Run(() => NatsBridge.ForwardAsync(near.Reader, nats, subject,
                new NatsForwardOptions { Mode = NatsBridgeMode.JetStream, Stream = stream, Statistics = forwarded }, cts.Token));
            for (int i = 1; i <= Count; i++)
            {
                // One at a time, each published before the next is written: never two in one message.
                Bridges.WriteReadings(near.Writer, i, i, cts.Token);
                int written = i;
                Assert.True(SpinWait.SpinUntil(() => forwarded.Messages == written || forward.IsCompleted, Bridges.Bound), $"record {i} was not published: {forwarded}");
            }

            near.Writer.Complete();
            await forward.WaitAsync(Bridges.Bound);
        }

        Assert.Equal(Enumerable.Range(1, Count).Select(i => (long)i), await Bridges.StoredReadingsAsync(nats, stream, Count + 1, cts.Token));

        using var far = new LocalChannel<Reading>("far");
        options.Mode = NatsBridgeMode.JetStream;
        options.Stream = stream;
        options.Consumer = "far";
        options.AckWait = TimeSpan.FromSeconds(1);
        Task<List<long>> read = Task.Run(() => Bridges.ReadReadings(far.Reader));
        NatsBridgeStatistics received = await NatsBridge.ReceiveAsync(nats, subject, far.Writer, options, cts.Token).WaitAsync(Bridges.Bound);
        return (await read.WaitAsync(Bridges.Bound), received);
    }
}
