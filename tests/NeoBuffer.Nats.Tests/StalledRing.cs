using System.Threading;
using System.Threading.Tasks;
using NATS.Client.Core;

namespace NeoBuffer.Nats.Tests;

/// <summary>
/// An inbound bridge into a 4 KiB ring that nobody reads until the test does, and the flood that backs it up: readings
/// forwarded one per NATS message (batched, a few thousand would be a dozen messages). The ring fills first, then the
/// bridge's pending queue: what the tests of a full far side need.
/// </summary>
internal sealed class StalledRing : System.IDisposable
{
    private StalledRing(Task<NatsBridgeStatistics> receive, LocalChannel<Reading> far, NatsBridgeStatistics statistics)
    {
        Receive = receive;
        Far = far;
        Statistics = statistics;
    }

    /// <summary>The far channel: its writer is the inbound bridge's, its reader the test's.</summary>
    public LocalChannel<Reading> Far { get; }

    /// <summary>The inbound bridge's counters, live.</summary>
    public NatsBridgeStatistics Statistics { get; }

    /// <summary>The inbound bridge's run.</summary>
    public Task<NatsBridgeStatistics> Receive { get; }

    /// <summary>Starts an inbound bridge from <paramref name="subject"/> into a fresh 4 KiB ring (<paramref name="options"/>' statistics are replaced).</summary>
    public static async Task<StalledRing> StartAsync(NatsConnection subscriber, string subject, NatsReceiveOptions options, CancellationToken cancellationToken)
    {
        var far = new LocalChannel<Reading>("far", new SharedChannelOptions { Capacity = 4096 });
        options.Statistics = new NatsBridgeStatistics();
        Task<NatsBridgeStatistics> receive = await Bridges.StartReceiveAsync(o => NatsBridge.ReceiveAsync(subscriber, subject, far.Writer, o, cancellationToken), options);
        return new StalledRing(receive, far, options.Statistics);
    }

    /// <summary>Forwards readings 1 to <paramref name="count"/>, one per NATS message; returns once all are published.</summary>
    public static async Task<NatsBridgeStatistics> FloodAsync(NatsConnection publisher, string subject, int count, CancellationToken cancellationToken)
    {
        using var near = new LocalChannel<Reading>("near", new SharedChannelOptions { Capacity = 1 << 20 });
        Bridges.WriteReadings(near.Writer, 1, count);
        near.Writer.Complete();
        return await NatsBridge.ForwardAsync(near.Reader, publisher, subject, new NatsForwardOptions { MaxBatchBytes = 0 }, cancellationToken).WaitAsync(Bridges.Bound);
    }

    public void Dispose() => Far.Dispose();
}
