using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NATS.Client.Core;

namespace NeoBuffer.Nats.Tests;

/// <summary>
/// A record the server can never take: larger, with its envelope, than the server's max_payload (1 MiB by default).
/// No retry gets it through, so the bridge must say so rather than retry for ever (JetStream) or let the NATS client's
/// own exception escape (core). The record stays in the ring (held, never released), so nothing is lost silently.
/// </summary>
public sealed class OversizedRecordTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly string _url = fixture.Server.Url;

    [Theory]
    [MemberData(nameof(Bridges.EveryOutboundPath), MemberType = typeof(Bridges))]
    public async Task A_record_larger_than_the_servers_max_payload_fails_the_bridge_with_NatsBridgeException_not_retried_for_ever(NatsBridgeMode mode, int maxInFlight)
    {
        await using NatsConnection nats = Bridges.Connect(_url);
        using var cts = new CancellationTokenSource(Bridges.Bound);
        (string subject, string? stream) = await Bridges.NewSubjectForAsync(nats, mode, cts.Token);
        await nats.ConnectAsync();
        int maxPayload = nats.ServerInfo!.MaxPayload;
        string name = Bridges.NewName("oversized");
        using SharedChannelWriter writer = SharedChannel.CreateWriter(name, new SharedChannelOptions { Capacity = 4L << 20 });
        using SharedChannelReader reader = SharedChannel.OpenReader(name);
        writer.Write(new byte[64], cts.Token);
        writer.Write(new byte[maxPayload], cts.Token); // the envelope makes it too large
        var statistics = new NatsBridgeStatistics();
        var options = new NatsForwardOptions
        {
            Mode = mode, Stream = stream, MaxInFlight = maxInFlight,
            RetryDelay = TimeSpan.FromMilliseconds(20), AckTimeout = TimeSpan.FromSeconds(2), PublishEnd = false, Statistics = statistics,
        };

        // Bounded well below the retry-for-ever a failure would be: the refusal is known before anything is sent.
        Task<NatsBridgeStatistics> forward = NatsBridge.ForwardAsync(reader, nats, subject, options, cts.Token);
        NatsBridgeException refused = await Assert.ThrowsAsync<NatsBridgeException>(() => forward.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("max_payload", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, statistics.Retries);

        // Nothing lost silently: JetStream holds what it has not released (the large record, and the small one while
        // its acknowledgement was outstanding) in the ring for whoever reads next; core mode met the large record in
        // the middle of a gathered read, consumed, and counts it dropped.
        var remaining = new List<int>();
        while (reader.TryLease(out ReadLease lease))
        {
            using (lease)
            {
                remaining.Add(lease.Length);
            }
        }

        int gone = (int)(statistics.Messages + statistics.Dropped);
        Assert.Equal(new[] { 64, maxPayload }.Skip(gone), remaining);
        Assert.Equal(mode == NatsBridgeMode.Core ? 1 : 0, statistics.Dropped);
    }
}
