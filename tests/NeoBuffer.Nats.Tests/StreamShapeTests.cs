using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace NeoBuffer.Nats.Tests;

/// <summary>
/// JetStream inbound on streams shaped otherwise than one subject with nothing removed: the end marker must complete
/// at its first delivery whenever everything of the bridge's subject before it is acknowledged.
/// </summary>
public sealed class StreamShapeTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly string _url = fixture.Server.Url;

    [Fact]
    public async Task An_end_marker_behind_another_subjects_messages_completes_at_its_first_delivery()
    {
        // The stream stores a second subject, whose messages land between the bridge's last record and its marker
        // after that record was acknowledged. The consumer's acknowledgement floor then stands at the record, below
        // the other subject's messages, which this consumer never delivers: nothing is outstanding, so the marker
        // must not be put back.
        (string subject, string stream) = Bridges.NewStreamNames();
        string other = subject + "-other";
        await using NatsConnection nats = Bridges.Connect(_url);
        using var cts = new CancellationTokenSource(Bridges.Bound);
        await NatsBridge.CreateStreamAsync(nats, stream, [subject, other], cancellationToken: cts.Token);
        var js = new NatsJSContext(nats);

        using var far = new LocalChannel<Reading>("far");
        var deliveries = new ConcurrentDictionary<ulong, ulong>();
        var logger = new ListLogger();
        Task<NatsBridgeStatistics> receive = await Bridges.StartReceiveAsync(
            options => NatsBridge.ReceiveAsync(nats, subject, far.Writer, options, cts.Token),
            new NatsReceiveOptions
            {
                Mode = NatsBridgeMode.JetStream, Stream = stream, Consumer = "far", AckWait = TimeSpan.FromSeconds(1), Logger = logger,
                LosesDelivery = (sequence, delivered) => { deliveries.AddOrUpdate(sequence, delivered, (_, seen) => Math.Max(seen, delivered)); return false; },
            });
        Task<List<long>> read = Task.Run(() => Bridges.ReadReadings(far.Reader));

        using var near = new LocalChannel<Reading>("near");
        var forwarded = new NatsBridgeStatistics();
        Task<NatsBridgeStatistics> forward = Task.Run(() => NatsBridge.ForwardAsync(near.Reader, nats, subject,
            new NatsForwardOptions { Mode = NatsBridgeMode.JetStream, Stream = stream, Statistics = forwarded }, cts.Token));
        Bridges.WriteReadings(near.Writer, 1, 1, cts.Token);
        await Bridges.UntilConsumerAsync(js, stream, "far", info => info.AckFloor.StreamSeq >= 1, cts.Token); // record 1 acknowledged

        for (int i = 0; i < 3; i++)
        {
            await js.PublishAsync(other, new byte[] { 1, 2, 3 }, cancellationToken: cts.Token);
        }

        near.Writer.Complete(); // the marker: stream sequence 5
        await forward.WaitAsync(Bridges.Bound);
        await receive.WaitAsync(Bridges.Bound);

        Assert.Equal([1L], await read.WaitAsync(Bridges.Bound));
        Assert.Equal(1UL, deliveries[5]);
        Assert.DoesNotContain(logger.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task An_end_marker_waiting_for_a_message_the_stream_then_removes_completes_without_the_warning()
    {
        // Message 3 is lost in flight on every delivery, so it stays pending and holds the marker back; then the
        // stream removes it (as its limits would: MaxMsgs, MaxAge). Nothing can come back any more: the marker must
        // complete at its next delivery, not after four with a warning that something is still outstanding.
        (string subject, string stream) = Bridges.NewStreamNames();
        await using NatsConnection nats = Bridges.Connect(_url);
        using var cts = new CancellationTokenSource(Bridges.Bound);
        await NatsBridge.CreateStreamAsync(nats, stream, [subject], cancellationToken: cts.Token);
        await DeliveryFaultTests.StoreSessionAsync(nats, subject, stream, 1, 5, cts.Token); // the marker: stream sequence 6
        var js = new NatsJSContext(nats);

        using var far = new LocalChannel<Reading>("far");
        var markerWaits = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var deliveries = new ConcurrentDictionary<ulong, ulong>();
        var logger = new ListLogger();
        Task<List<long>> read = Task.Run(() => Bridges.ReadReadings(far.Reader));
        Task<NatsBridgeStatistics> receive = NatsBridge.ReceiveAsync(nats, subject, far.Writer, new NatsReceiveOptions
        {
            Mode = NatsBridgeMode.JetStream, Stream = stream, Consumer = "far", AckWait = TimeSpan.FromSeconds(1), Logger = logger,
            LosesDelivery = (sequence, delivered) =>
            {
                deliveries.AddOrUpdate(sequence, delivered, (_, seen) => Math.Max(seen, delivered));
                if (sequence == 6)
                {
                    markerWaits.TrySetResult();
                }

                return sequence == 3;
            },
        }, cts.Token);

        await markerWaits.Task.WaitAsync(Bridges.Bound);
        INatsJSStream stored = await js.GetStreamAsync(stream, cancellationToken: cts.Token);
        await stored.DeleteMessageAsync(new NATS.Client.JetStream.Models.StreamMsgDeleteRequest { Seq = 3 }, cts.Token);
        await receive.WaitAsync(Bridges.Bound);

        Assert.Equal([1L, 2L, 4L, 5L], await read.WaitAsync(Bridges.Bound));
        Assert.True(deliveries[6] <= 2, $"the marker was delivered {deliveries[6]} times");
        Assert.DoesNotContain(logger.Entries, e => e.Level >= LogLevel.Warning);
    }
}
