using System;
using System.Threading;
using System.Threading.Tasks;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace NeoBuffer.Nats.Tests;

/// <summary>
/// JetStream inbound against a durable consumer someone else made or removes: the bridge ends with a
/// <see cref="NatsBridgeException"/> that says what to do, never skips messages silently, never lets NATS.Net's own
/// exception types escape.
/// </summary>
public sealed class ExistingConsumerTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly string _url = fixture.Server.Url;

    [Fact]
    public async Task A_consumer_that_exists_for_another_subject_is_refused_not_taken_over()
    {
        // The consumer "far" consumed the stream's other subject past the bridge's three messages: moved to the
        // bridge's subject as it stands, it would never deliver them (the server reports nothing pending).
        (string subject, string stream) = Bridges.NewStreamNames();
        string other = subject + "-other";
        await using NatsConnection nats = Bridges.Connect(_url);
        using var cts = new CancellationTokenSource(Bridges.Bound);
        await NatsBridge.CreateStreamAsync(nats, stream, [subject, other], cancellationToken: cts.Token);
        var js = new NatsJSContext(nats);
        for (int i = 0; i < 3; i++)
        {
            await js.PublishAsync(subject, Bridges.Enveloped(Reading.Layout.Fingerprint, new byte[8]), cancellationToken: cts.Token);
        }

        await js.PublishAsync(other, new byte[] { 1 }, cancellationToken: cts.Token);
        INatsJSConsumer taken = await js.CreateOrUpdateConsumerAsync(stream,
            new ConsumerConfig("far") { FilterSubject = other, AckPolicy = ConsumerConfigAckPolicy.Explicit }, cts.Token);
        await foreach (NatsJSMsg<byte[]> message in taken.FetchAsync<byte[]>(new NatsJSFetchOpts { MaxMsgs = 1, Expires = TimeSpan.FromSeconds(5) }, cancellationToken: cts.Token))
        {
            await message.AckAsync(new AckOpts { DoubleAck = true }, cts.Token);
        }

        using var far = new LocalChannel<Reading>("far");
        NatsBridgeException refused = await Assert.ThrowsAsync<NatsBridgeException>(() => NatsBridge.ReceiveAsync(nats, subject, far.Writer,
            new NatsReceiveOptions { Mode = NatsBridgeMode.JetStream, Stream = stream, Consumer = "far" }, cts.Token).WaitAsync(Bridges.Bound));
        Assert.Contains($"already exists for {other}", refused.Message, StringComparison.Ordinal);
        Assert.Equal(other, (await js.GetConsumerAsync(stream, "far", cts.Token)).Info.Config.FilterSubject); // left as it was
    }

    [Fact]
    public async Task A_consumer_made_with_another_deliver_policy_is_refused_with_what_to_do()
    {
        (string subject, string stream) = Bridges.NewStreamNames();
        await using NatsConnection nats = Bridges.Connect(_url);
        using var cts = new CancellationTokenSource(Bridges.Bound);
        await NatsBridge.CreateStreamAsync(nats, stream, [subject], cancellationToken: cts.Token);
        await new NatsJSContext(nats).CreateOrUpdateConsumerAsync(stream,
            new ConsumerConfig("far") { FilterSubject = subject, DeliverPolicy = ConsumerConfigDeliverPolicy.New, AckPolicy = ConsumerConfigAckPolicy.Explicit }, cts.Token);

        using var far = new LocalChannel<Reading>("far");
        NatsBridgeException refused = await Assert.ThrowsAsync<NatsBridgeException>(() => NatsBridge.ReceiveAsync(nats, subject, far.Writer,
            new NatsReceiveOptions { Mode = NatsBridgeMode.JetStream, Stream = stream, Consumer = "far" }, cts.Token).WaitAsync(Bridges.Bound));
        Assert.Contains("another Consumer name", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_consumer_deleted_under_a_waiting_pull_ends_the_bridge_with_a_NatsBridgeException()
    {
        // The server answers the waiting pull "409 Consumer Deleted"; NATS.Net ends the consumption with its own
        // exception type, which escaped ReceiveAsync.
        (string subject, string stream) = Bridges.NewStreamNames();
        await using NatsConnection nats = Bridges.Connect(_url);
        using var cts = new CancellationTokenSource(Bridges.Bound);
        await NatsBridge.CreateStreamAsync(nats, stream, [subject], cancellationToken: cts.Token);
        using var far = new LocalChannel<Reading>("far");
        Task<NatsBridgeStatistics> receive = await Bridges.StartReceiveAsync(
            options => NatsBridge.ReceiveAsync(nats, subject, far.Writer, options, cts.Token),
            new NatsReceiveOptions { Mode = NatsBridgeMode.JetStream, Stream = stream, Consumer = "far" });
        var js = new NatsJSContext(nats);
        await Bridges.UntilConsumerAsync(js, stream, "far", info => info.NumWaiting > 0, cts.Token); // the bridge's pull waits there

        await js.DeleteConsumerAsync(stream, "far", cts.Token);

        NatsBridgeException failed = await Assert.ThrowsAsync<NatsBridgeException>(() => receive.WaitAsync(Bridges.Bound));
        Assert.Contains("'far'", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_consumer_deleted_between_pulls_ends_the_bridge_with_a_NatsBridgeException()
    {
        // Deleted before the first pull: every pull then goes to nobody, and NATS.Net pulls again for good. The
        // bridge ran until cancelled.
        (string subject, string stream) = Bridges.NewStreamNames();
        await using NatsConnection nats = Bridges.Connect(_url);
        using var cts = new CancellationTokenSource(Bridges.Bound);
        await NatsBridge.CreateStreamAsync(nats, stream, [subject], cancellationToken: cts.Token);
        var js = new NatsJSContext(nats);
        using var far = new LocalChannel<Reading>("far");
        Task<NatsBridgeStatistics> receive = NatsBridge.ReceiveAsync(nats, subject, far.Writer, new NatsReceiveOptions
        {
            Mode = NatsBridgeMode.JetStream, Stream = stream, Consumer = "far",
            Ready = () => js.DeleteConsumerAsync(stream, "far", cts.Token).AsTask().GetAwaiter().GetResult(), // created, not yet pulled from
        }, cts.Token);

        NatsBridgeException failed = await Assert.ThrowsAsync<NatsBridgeException>(() => receive.WaitAsync(Bridges.Bound));
        Assert.Contains("'far'", failed.Message, StringComparison.Ordinal);
        Assert.Contains("is gone", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_without_JetStream_fails_the_bridge_with_a_NatsBridgeException_saying_so()
    {
        // Nobody answers the consumer request: NATS.Net's NatsNoRespondersException escaped ReceiveAsync.
        await using NatsServer core = await NatsServer.StartWithoutJetStreamAsync();
        await using NatsConnection nats = Bridges.Connect(core.Url);
        using var cts = new CancellationTokenSource(Bridges.Bound);
        using var far = new LocalChannel<Reading>("far");
        NatsBridgeException failed = await Assert.ThrowsAsync<NatsBridgeException>(() => NatsBridge.ReceiveAsync(nats, "js.none", far.Writer,
            new NatsReceiveOptions { Mode = NatsBridgeMode.JetStream, Stream = "NONE", Consumer = "far" }, cts.Token).WaitAsync(Bridges.Bound));
        Assert.Contains("JetStream enabled", failed.Message, StringComparison.Ordinal);
    }
}
