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
    }

    [Fact]
    public async Task A_commit_whose_acknowledgement_was_lost_is_acknowledged_again_not_written_twice_and_the_end_waits_for_it()
    {
        (List<long> read, NatsBridgeStatistics received) = await ReceiveWithAsync(new NatsReceiveOptions { LosesAcknowledgement = (stream, deliveries) => stream == Faulted && deliveries == 1 });

        Assert.Equal(Enumerable.Range(1, Count).Select(i => (long)i), read);
        Assert.Equal(Count, received.Messages);
        Assert.True(received.Duplicates >= 1, $"{received}"); // more only if a stall on this machine outlasted AckWait
    }

    [Fact]
    public async Task An_end_marker_whose_predecessor_never_comes_back_completes_after_four_deliveries_and_says_so()
    {
        // Message 3 is lost on every delivery, so it stays unacknowledged for good (as one another client keeps in
        // progress would): the marker waits an AckWait at a time, then completes the channel without it, with a warning.
        var logger = new ListLogger();
        (List<long> read, NatsBridgeStatistics received) = await ReceiveWithAsync(new NatsReceiveOptions { LosesDelivery = (stream, _) => stream == Faulted, Logger = logger });

        Assert.Equal(Enumerable.Range(1, Count).Where(i => i != (int)Faulted).Select(i => (long)i), read);
        Assert.Equal(Count - 1, received.Messages);
        Assert.Contains(logger.Entries, e => e.Message.Contains("completing at the end marker", StringComparison.Ordinal) && e.Message.Contains("delivered 4 times", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Two_sessions_in_one_stream_complete_two_channels_each_with_its_own_records()
    {
        // Each end marker waits only for what comes before it: the second session's records and marker, already
        // pulled when the first marker arrives, neither hold the first back nor go into its channel.
        (string subject, string stream) = Bridges.NewStreamNames();
        await using NatsConnection nats = Bridges.Connect(_url);
        using var cts = new CancellationTokenSource(Bridges.Bound);
        await NatsBridge.CreateStreamAsync(nats, stream, [subject], cancellationToken: cts.Token);
        await StoreSessionAsync(nats, subject, stream, 1, 3, cts.Token);
        await StoreSessionAsync(nats, subject, stream, 4, 6, cts.Token);

        foreach ((int from, int to) in new[] { (1, 3), (4, 6) })
        {
            using var far = new LocalChannel<Reading>("far");
            Task<List<long>> read = Task.Run(() => Bridges.ReadReadings(far.Reader));
            await NatsBridge.ReceiveAsync(nats, subject, far.Writer,
                new NatsReceiveOptions { Mode = NatsBridgeMode.JetStream, Stream = stream, Consumer = "far", AckWait = TimeSpan.FromSeconds(1) }, cts.Token).WaitAsync(Bridges.Bound);
            Assert.Equal(Enumerable.Range(from, to - from + 1).Select(i => (long)i), await read.WaitAsync(Bridges.Bound));
        }
    }

    // Stores readings 1 to Count, one stream message each (stream sequence = reading), then the end marker, and
    // receives them all through one run with the fault in its options.
    private async Task<(List<long> Read, NatsBridgeStatistics Received)> ReceiveWithAsync(NatsReceiveOptions options)
    {
        (string subject, string stream) = Bridges.NewStreamNames();
        await using NatsConnection nats = Bridges.Connect(_url);
        using var cts = new CancellationTokenSource(Bridges.Bound);
        await NatsBridge.CreateStreamAsync(nats, stream, [subject], cancellationToken: cts.Token);

        await StoreSessionAsync(nats, subject, stream, 1, Count, cts.Token);
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

    // One outbound run: readings from..to, one stream message each (each published before the next is written, so
    // never two in one message), then its end marker.
    internal static async Task StoreSessionAsync(NatsConnection nats, string subject, string stream, int from, int to, CancellationToken cancellationToken)
    {
        using var near = new LocalChannel<Reading>("near");
        var forwarded = new NatsBridgeStatistics();
        Task<NatsBridgeStatistics> forward = Task.Run(() => NatsBridge.ForwardAsync(near.Reader, nats, subject,
            new NatsForwardOptions { Mode = NatsBridgeMode.JetStream, Stream = stream, Statistics = forwarded }, cancellationToken));
        for (int i = from; i <= to; i++)
        {
            Bridges.WriteReadings(near.Writer, i, i, cancellationToken);
            int published = i - from + 1;
            Assert.True(SpinWait.SpinUntil(() => forwarded.Messages == published || forward.IsCompleted, Bridges.Bound), $"record {i} was not published: {forwarded}");
        }

        near.Writer.Complete();
        await forward.WaitAsync(Bridges.Bound);
    }
}
