using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NATS.Client.Core;

namespace NeoBuffer.Nats.Tests;

/// <summary>A 3-node nats-server cluster on loopback ports: one node is killed while messages flow.</summary>
public sealed class ClusterFailoverTests
{
    [Fact]
    public async Task Killing_a_node_while_messages_flow_loses_nothing_in_JetStream_mode()
    {
        const int count = 3000;
        NatsServer[] cluster = await NatsServer.StartClusterAsync(3);
        try
        {
            string urls = string.Join(",", cluster.Select(s => s.Url));
            // Each side starts on a different node; the victim is the one the outbound bridge is connected to.
            await using NatsConnection nearNats = Bridges.Connect(cluster[0].Url + "," + urls);
            await using NatsConnection farNats = Bridges.Connect(cluster[1].Url + "," + urls);
            // NATS's own recovery bounds this test: the replicated stream and its consumer elect new leaders after the kill,
            // and a JetStream consumer resumes only after that (one CI run under the whole suite's load saw no message for
            // 20 s after it, where the test alone takes 10 s in all). Nothing may be lost; a pause is NATS's.
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(150));
            string id = Guid.NewGuid().ToString("N")[..12];
            string subject = $"cluster.{id}", stream = $"C{id}";
            await CreateReplicatedStreamAsync(nearNats, stream, subject, cts.Token);

            using var far = new LocalChannel<Reading>("far");
            Task<NatsBridgeStatistics> receive = await Bridges.StartReceiveAsync(o => NatsBridge.ReceiveAsync(farNats, subject, far.Writer, o, cts.Token),
                new NatsReceiveOptions { Mode = NatsBridgeMode.JetStream, Stream = stream, Consumer = "far", AckWait = TimeSpan.FromSeconds(2) });

            using var near = new LocalChannel<Reading>("near");
            var forwarded = new NatsBridgeStatistics();
            Task<NatsBridgeStatistics> forward = Task.Run(() => NatsBridge.ForwardAsync(near.Reader, nearNats, subject,
                new NatsForwardOptions { Mode = NatsBridgeMode.JetStream, Stream = stream, AckTimeout = TimeSpan.FromSeconds(1), RetryDelay = TimeSpan.FromMilliseconds(100), Statistics = forwarded },
                cts.Token));
            Task<List<long>> read = Task.Run(() => Bridges.ReadReadings(far.Reader, gap: TimeSpan.FromSeconds(90)));

            Bridges.WriteReadings(near.Writer, 1, count / 3, cts.Token);
            Assert.True(SpinWait.SpinUntil(() => forwarded.Messages > 200, Bridges.Bound), $"the bridge forwarded too little: {forwarded}");
            cluster[0].Kill();
            Bridges.WriteReadings(near.Writer, count / 3 + 1, count, cts.Token);
            near.Writer.Complete();

            NatsBridgeStatistics sent = await forward.WaitAsync(cts.Token);
            NatsBridgeStatistics received = await receive.WaitAsync(cts.Token);
            List<long> sequences = await read.WaitAsync(cts.Token);

            Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), sequences.Distinct().Order());
            Assert.Equal(count, sent.Messages);
            Assert.True(received.Messages >= count, $"received {received}");
        }
        finally
        {
            foreach (NatsServer server in cluster)
            {
                await server.DisposeAsync();
            }
        }
    }

    // A new cluster elects its JetStream meta leader a moment after the servers are ready: until then the request
    // fails, so it is retried within the bound.
    private static async Task CreateReplicatedStreamAsync(NatsConnection nats, string stream, string subject, CancellationToken cancellationToken)
    {
        DateTime deadline = DateTime.UtcNow + Bridges.Bound;
        while (true)
        {
            try
            {
                await NatsBridge.CreateStreamAsync(nats, stream, [subject], replicas: 3, cancellationToken: cancellationToken);
                return;
            }
            catch (Exception e) when (e is NatsBridgeException or NatsException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200, cancellationToken);
            }
        }
    }
}
