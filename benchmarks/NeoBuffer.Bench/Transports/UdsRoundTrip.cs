using System.Net.Sockets;
using NeoBuffer.Bench.Harness;
using NeoBuffer.Bench.Measurements;
using NeoBuffer.Bench.Report;

using NeoBuffer.Testing;

namespace NeoBuffer.Bench.Transports;

/// <summary>
/// 64 B round trip over one Unix domain stream socket: this process sends a ping frame and blocks in recv(2) for the
/// pong; a child blocks in recv(2) for each ping and sends it back. Blocking receives are how sockets are used; a
/// socket has no cheap way to spin.
/// </summary>
internal static class UdsRoundTrip
{
    public const string EchoVerb = "uds-echo";

    public static Measurement Measure(BenchRun run, int messageBytes) => Measure(run, messageBytes, ReaderWait.Spinning);

    /// <summary>The round trip, as a row of the <c>spsc</c> run or (<see cref="ReaderWait.Parked"/>) of the <c>parked</c> run; it blocks either way.</summary>
    public static Measurement Measure(BenchRun run, int messageBytes, ReaderWait rows)
    {
        int total = run.RoundTripTotal(run.Plan.RoundTripBlock(Scenarios.Uds, rows));
        string name = run.NextName("uds");

        using Socket listener = UdsEndpoint.Listen(name);
        using ChildProcess echo = BenchChildren.Start(EchoVerb, name, messageBytes, total);
        using var channel = new FramedStream(new NetworkStream(UdsEndpoint.Accept(listener), ownsSocket: true), messageBytes);
        return FramedRoundTrip.Ping(run, Scenarios.Uds, messageBytes, channel, channel, echo, rows);
    }

    /// <summary>The child: <c>SOCKET_NAME MESSAGE_BYTES COUNT</c>; echoes COUNT frames.</summary>
    public static void Echo(string[] args)
    {
        using var channel = new FramedStream(new NetworkStream(UdsEndpoint.Connect(args[0]), ownsSocket: true), int.Parse(args[1]));
        FramedRoundTrip.Echo(channel, channel, int.Parse(args[2]));
    }
}
