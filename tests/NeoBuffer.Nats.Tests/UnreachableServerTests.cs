using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using NATS.Client.Core;

namespace NeoBuffer.Nats.Tests;

/// <summary>
/// The outbound bridge connects before it reads anything. A server that is not there must end <c>ForwardAsync</c> by
/// the caller's cancellation (a connection that retries its first connect) or by <see cref="NatsBridgeException"/> (one
/// that does not), never hang past the cancellation nor let the NATS client's own exception out.
/// </summary>
public sealed class UnreachableServerTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Forwarding_to_a_server_that_is_not_there_ends_by_cancellation_or_NatsBridgeException(bool retryOnInitialConnect)
    {
        await using var nats = new NatsConnection(new NatsOpts
        {
            Url = $"nats://127.0.0.1:{ClosedPort()}", RetryOnInitialConnect = retryOnInitialConnect,
            ReconnectWaitMin = TimeSpan.FromMilliseconds(50), ReconnectWaitMax = TimeSpan.FromMilliseconds(100),
        });
        using var near = new LocalChannel<Reading>("unreachable");
        Bridges.WriteReadings(near.Writer, 1, 1);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));

        Task<NatsBridgeStatistics> forward = NatsBridge.ForwardAsync(near.Reader, nats, "test.unreachable",
            new NatsForwardOptions { Mode = NatsBridgeMode.JetStream }, cts.Token);
        if (retryOnInitialConnect)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => forward.WaitAsync(TimeSpan.FromSeconds(10)));
        }
        else
        {
            NatsBridgeException failed = await Assert.ThrowsAsync<NatsBridgeException>(() => forward.WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.Contains("connect", failed.Message, StringComparison.OrdinalIgnoreCase);
        }

        // Nothing was taken: the record is still there for the next bridge.
        Assert.Equal([1L], Bridges.ReadReadings(near.Reader, 1));
    }

    // A port nobody listens on: bound by the kernel, then released.
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
