using System;
using System.Threading;
using System.Threading.Tasks;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace NeoBuffer.Nats.Tests;

/// <summary>
/// A local peer puts a record into a typed channel that is not a record of its schema (an untyped writer on an MPSC
/// channel of <see cref="Reading"/>, opened with the schema but writing raw bytes): the outbound bridge must fail with <see cref="NatsBridgeException"/> rather than
/// publish it under the schema's fingerprint, in every outbound path.
/// </summary>
public sealed class MalformedLocalRecordTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly string _url = fixture.Server.Url;

    [Theory]
    [MemberData(nameof(Bridges.EveryOutboundPath), MemberType = typeof(Bridges))]
    public async Task A_record_a_local_writer_put_in_the_ring_that_is_not_of_the_schema_is_never_published(NatsBridgeMode mode, int maxInFlight)
    {
        await using NatsConnection nats = Bridges.Connect(_url);
        using var cts = new CancellationTokenSource(Bridges.Bound);
        (string subject, string? stream) = await Bridges.NewSubjectForAsync(nats, mode, cts.Token);
        using var near = new LocalChannel<Reading>("malformed", new SharedChannelOptions { Topology = ChannelTopology.MultiProducerSingleConsumer });
        using SharedChannelWriter hostile = SharedChannel.OpenWriterBySchema(near.Name, Reading.Layout);
        Bridges.WriteReadings(near.Writer, 1, 1, cts.Token);
        hostile.Write([1, 2, 3], cts.Token);
        Bridges.WriteReadings(near.Writer, 2, 2, cts.Token);
        var statistics = new NatsBridgeStatistics();
        var options = new NatsForwardOptions
        {
            Mode = mode, Stream = stream, MaxInFlight = maxInFlight, PublishEnd = false, Statistics = statistics,
        };

        NatsBridgeException refused = await Assert.ThrowsAsync<NatsBridgeException>(
            () => NatsBridge.ForwardAsync(near.Reader, nats, subject, options, cts.Token).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("not a well-formed", refused.Message, StringComparison.Ordinal);
        Assert.True(statistics.Messages <= 1, $"{statistics.Messages} published");
        // Core mode meets it in a gathered read, which consumed it: counted, never silent. JetStream leaves it in the ring.
        Assert.Equal(mode == NatsBridgeMode.Core ? 1 : 0, statistics.Dropped);
        if (mode == NatsBridgeMode.JetStream)
        {
            // At least once: the malformed record, and the one after it, are still in the ring; the stream has the first at most.
            var js = new NatsJSContext(nats);
            Assert.True((await js.GetStreamAsync(stream!, cancellationToken: cts.Token)).Info.State.Messages <= 1);
        }
    }
}
