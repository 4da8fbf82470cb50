using System.Net.Sockets;
using NeoBuffer.Bench.Harness;
using NeoBuffer.Bench.Measurements;
using NeoBuffer.Bench.Report;

using NeoBuffer.Testing;

namespace NeoBuffer.Bench.Transports;

/// <summary>
/// SPSC throughput over a Unix domain stream socket: a child process fills each message into its send buffer and sends
/// it as one frame (one send(2) per message); this process receives frames and checks each one.
/// </summary>
internal static class UdsThroughput
{
    public const string ProducerVerb = "uds-produce";

    public static Measurement Measure(BenchRun run, int messageBytes)
    {
        long total = run.ThroughputTotal(run.Plan.ThroughputBlock(Scenarios.Uds, messageBytes));
        string name = run.NextName("uds");

        using Socket listener = UdsEndpoint.Listen(name);
        using ChildProcess producer = BenchChildren.Start(ProducerVerb, name, messageBytes, total);
        using var channel = new FramedStream(new NetworkStream(UdsEndpoint.Accept(listener), ownsSocket: true), messageBytes);
        return FramedThroughput.Consume(run, Scenarios.Uds, messageBytes, channel, producer);
    }

    /// <summary>The child: <c>SOCKET_NAME MESSAGE_BYTES COUNT</c>.</summary>
    public static void Produce(string[] args)
    {
        int messageBytes = int.Parse(args[1]);
        using var channel = new FramedStream(new NetworkStream(UdsEndpoint.Connect(args[0]), ownsSocket: true), messageBytes);
        FramedThroughput.Produce(channel, messageBytes, long.Parse(args[2]));
    }
}
