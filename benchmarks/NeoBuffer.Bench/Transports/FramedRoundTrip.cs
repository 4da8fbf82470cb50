using System;
using System.Diagnostics;
using NeoBuffer.Bench.Harness;
using NeoBuffer.Bench.Measurements;

using NeoBuffer.Testing;

namespace NeoBuffer.Bench.Transports;

/// <summary>
/// The two ends of a round-trip session over <see cref="FramedStream"/>s: this process sends a ping frame and blocks for
/// the pong; the echo child blocks for each ping and sends it back. A socket carries both directions (the same stream
/// twice); pipes need one each.
/// </summary>
internal static class FramedRoundTrip
{
    /// <summary>
    /// In this process: the warm-up and timed round trips with <paramref name="echo"/>. Both ends block either way;
    /// <paramref name="rows"/> says whose rows the session joins (<see cref="ReaderWait.Parked"/>: the <c>parked</c>
    /// run's, with its block size), so it is measured exactly as the rows it is compared with.
    /// </summary>
    public static Measurement Ping(BenchRun run, string transport, int messageBytes, FramedStream pings, FramedStream pongs, ChildProcess echo, ReaderWait rows = ReaderWait.Spinning)
    {
        int block = run.Plan.RoundTripBlock(transport, rows);
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
        Measurement measured = Measurement.RoundTrip(transport, messageBytes, block, timer.Blocks);
        return rows == ReaderWait.Parked ? measured with { Scenario = Report.Scenarios.RoundTripParked } : measured;
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
