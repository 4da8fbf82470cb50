using System;
using System.Diagnostics;
using NeoBuffer.Bench.Harness;
using NeoBuffer.Bench.Measurements;

namespace NeoBuffer.Bench.Transports;

/// <summary>
/// The two ends of a round-trip session over <see cref="FramedStream"/>s: this process sends a ping frame and blocks for
/// the pong; the echo child blocks for each ping and sends it back. A socket carries both directions (the same stream
/// twice); pipes need one each.
/// </summary>
internal static class FramedRoundTrip
{
    /// <summary>In this process: the warm-up and timed round trips with <paramref name="echo"/>.</summary>
    public static Measurement Ping(BenchRun run, string transport, int messageBytes, FramedStream pings, FramedStream pongs, BenchChild echo)
    {
        int block = run.Plan.RoundTripBlock(transport);
        int total = run.RoundTripTotal(block);
        var source = new MessageSource(messageBytes);
        var check = new MessageCheck();
        var timer = new RoundTripTimer(block * run.Plan.WarmupBlocks, block, run.Plan.Blocks);
        for (int i = 0; i < total; i++)
        {
            long start = Stopwatch.GetTimestamp();
            source.FillInto(pings.SendPayload(messageBytes), i);
            pings.SendFrame(messageBytes);
            ReadOnlySpan<byte> reply = pongs.ReceiveFrame();
            long end = Stopwatch.GetTimestamp();
            check.Accept(reply);
            timer.Record(end - start);
        }

        echo.WaitSuccess(BenchRun.ChildTimeout);
        return Measurement.RoundTrip(transport, messageBytes, block, timer.Blocks);
    }

    /// <summary>In the child: says "ready", then echoes <paramref name="count"/> frames.</summary>
    public static void Echo(FramedStream pings, FramedStream pongs, int count)
    {
        Console.WriteLine("ready");
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> ping = pings.ReceiveFrame();
            ping.CopyTo(pongs.SendPayload(ping.Length));
            pongs.SendFrame(ping.Length);
        }
    }
}
