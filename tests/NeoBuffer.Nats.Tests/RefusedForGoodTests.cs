using System;
using System.Threading;
using System.Threading.Tasks;
using NATS.Client.Core;

namespace NeoBuffer.Nats.Tests;

/// <summary>
/// JetStream refusing for good: the subject is stored by another stream than the bridge's <c>Stream</c>
/// (<c>Nats-Expected-Stream</c> does not match). Whether the refusal comes at a record (a window, or one at a time)
/// or at the end marker of a run that had no record, the bridge ends with <see cref="NatsBridgeException"/>, never the
/// NATS client's own exception, and never retries.
/// </summary>
public sealed class RefusedForGoodTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly string _url = fixture.Server.Url;

    [Theory]
    [InlineData(3, 256)]
    [InlineData(3, 1)]
    [InlineData(0, 256)]
    public async Task A_subject_stored_by_another_stream_ends_the_bridge_with_NatsBridgeException(int records, int maxInFlight)
    {
        (string subject, string stream) = Bridges.NewStreamNames();
        await using NatsConnection nats = Bridges.Connect(_url);
        using var cts = new CancellationTokenSource(Bridges.Bound);
        await NatsBridge.CreateStreamAsync(nats, stream, [subject], cancellationToken: cts.Token);

        using var near = new LocalChannel<Reading>("refused");
        if (records > 0)
        {
            Bridges.WriteReadings(near.Writer, 1, records, cts.Token);
        }

        near.Writer.Complete();
        var statistics = new NatsBridgeStatistics();
        var options = new NatsForwardOptions
        {
            Mode = NatsBridgeMode.JetStream, Stream = stream + "-other", MaxInFlight = maxInFlight, Statistics = statistics,
            RetryDelay = TimeSpan.FromMilliseconds(20),
        };

        NatsBridgeException refused = await Assert.ThrowsAsync<NatsBridgeException>(
            () => NatsBridge.ForwardAsync(near.Reader, nats, subject, options, cts.Token).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains(stream + "-other", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, statistics.Messages);
        Assert.Equal(0, statistics.Retries);
    }
}
