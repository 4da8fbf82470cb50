using System;
using System.Diagnostics;
using System.Net.Sockets;
using NeoBuffer.Bench.Harness;
using NeoBuffer.Bench.Measurements;
using NeoBuffer.Bench.Report;

namespace NeoBuffer.Bench.Transports;

/// <summary>
/// 64 B round trip over one Unix domain stream socket: this process sends a ping frame and blocks in recv(2) for the
/// pong; a child blocks in recv(2) for each ping and sends it back. Blocking receives are how sockets are used; a
/// socket has no cheap way to spin.
/// </summary>
internal static class UdsRoundTrip
{
    public const string EchoVerb = "uds-echo";

    public static Measurement Measure(BenchRun run, int messageBytes)
    {
        int block = run.Plan.RoundTripBlock(Scenarios.Uds);
        int total = run.RoundTripTotal(block);
        string name = run.NextName("uds");

        using Socket listener = UdsEndpoint.Listen(name);
        using BenchChild echo = BenchChild.Start(EchoVerb, name, messageBytes, total);
        using var channel = new FramedSocket(UdsEndpoint.Accept(listener), messageBytes);
        var source = new MessageSource(messageBytes);
        var check = new MessageCheck();
        var timer = new RoundTripTimer(block * run.Plan.WarmupBlocks, block, run.Plan.Blocks);
        for (int i = 0; i < total; i++)
        {
            long start = Stopwatch.GetTimestamp();
            source.FillInto(channel.SendPayload(messageBytes), i);
            channel.SendFrame(messageBytes);
            ReadOnlySpan<byte> reply = channel.ReceiveFrame();
            long end = Stopwatch.GetTimestamp();
            check.Accept(reply);
            timer.Record(end - start);
        }

        echo.WaitSuccess(BenchRun.ChildTimeout);
        return Measurement.RoundTrip(Scenarios.Uds, messageBytes, block, timer.Blocks);
    }

    /// <summary>The child: <c>SOCKET_NAME MESSAGE_BYTES COUNT</c>; echoes COUNT frames.</summary>
    public static void Echo(string[] args)
    {
        int messageBytes = int.Parse(args[1]);
        int count = int.Parse(args[2]);
        using var channel = new FramedSocket(UdsEndpoint.Connect(args[0]), messageBytes);
        Console.WriteLine("ready");
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> ping = channel.ReceiveFrame();
            ping.CopyTo(channel.SendPayload(ping.Length));
            channel.SendFrame(ping.Length);
        }
    }
}
