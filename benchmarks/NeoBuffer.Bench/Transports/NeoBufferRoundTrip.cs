using System;
using System.Diagnostics;
using NeoBuffer.Bench.Harness;
using NeoBuffer.Bench.Measurements;
using NeoBuffer.Bench.Report;

namespace NeoBuffer.Bench.Transports;

/// <summary>
/// 64 B round trip over two NeoBuffer SPSC channels with spinning readers: this process writes a ping and spins on
/// <c>TryRead</c> of the pong channel; a child spins on <c>TryRead</c> of the ping channel and copies each ping into the
/// pong channel with <c>TryWrite</c>. One sample is the time from before the ping's claim to the pong's arrival.
/// </summary>
internal static class NeoBufferRoundTrip
{
    public const string EchoVerb = "neobuffer-echo";

    // Spins between checks that the child is still alive, so a dead child fails the run instead of hanging it.
    private const int SpinsBetweenPeerChecks = 1 << 24;

    public static Measurement Measure(BenchRun run, int messageBytes)
    {
        int block = run.Plan.RoundTripBlock(Scenarios.NeoBuffer);
        int total = run.RoundTripTotal(block);
        string pingName = run.NextName("ping");
        string pongName = run.NextName("pong");
        var options = new SharedChannelOptions { Directory = run.Directory };

        using SharedChannelWriter ping = SharedChannel.CreateWriter(pingName, options);
        using SharedChannelReader pong = SharedChannel.CreateReader(pongName, options);
        using BenchChild echo = BenchChild.Start(EchoVerb, run.Directory, pingName, pongName, total);
        var source = new MessageSource(messageBytes);
        var check = new MessageCheck();
        var timer = new RoundTripTimer(block * run.Plan.WarmupBlocks, block, run.Plan.Blocks);
        for (int i = 0; i < total; i++)
        {
            long start = Stopwatch.GetTimestamp();
            if (!ping.TryClaim(messageBytes, out WriteClaim claim))
            {
                throw new InvalidOperationException("The ping channel is full although every ping was answered.");
            }

            source.FillInto(claim.Payload, i);
            claim.Commit();

            ReadLease lease;
            int spins = 0;
            while (!pong.TryRead(out lease))
            {
                if (++spins == SpinsBetweenPeerChecks)
                {
                    echo.ThrowIfExited();
                    spins = 0;
                }
            }

            long end = Stopwatch.GetTimestamp();
            check.Accept(lease.Payload);
            lease.Dispose();
            timer.Record(end - start);
        }

        echo.WaitSuccess(BenchRun.ChildTimeout);
        return Measurement.RoundTrip(Scenarios.NeoBuffer, messageBytes, block, timer.Blocks);
    }

    /// <summary>The child: <c>DIRECTORY PING PONG COUNT</c>; echoes COUNT messages, spinning between them.</summary>
    public static void Echo(string[] args)
    {
        var options = new SharedChannelOptions { Directory = args[0] };
        int count = int.Parse(args[3]);
        using SharedChannelReader ping = SharedChannel.OpenReader(args[1], options);
        using SharedChannelWriter pong = SharedChannel.OpenWriter(args[2], options);
        Console.WriteLine("ready");
        for (int i = 0; i < count; i++)
        {
            ReadLease lease;
            while (!ping.TryRead(out lease))
            {
                // Spinning reader: the case the round-trip target is stated for.
            }

            if (!pong.TryWrite(lease.Payload))
            {
                throw new InvalidOperationException("The pong channel is full although every pong was read.");
            }

            lease.Dispose();
        }
    }
}
