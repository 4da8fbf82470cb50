using System;
using System.Diagnostics;
using NeoBuffer.Bench.Harness;
using NeoBuffer.Bench.Measurements;
using NeoBuffer.Bench.Report;

using NeoBuffer.Testing;

namespace NeoBuffer.Bench.Transports;

/// <summary>
/// 64 B round trip over two NeoBuffer SPSC channels: this process writes a ping and waits for the pong; a child waits
/// for each ping and copies it into the pong channel with <c>TryWrite</c>. <see cref="ReaderWait.Spinning"/>: both sides
/// spin on <c>TryRead</c>. <see cref="ReaderWait.Parked"/>: both sides open their reader with <c>SpinCount</c> = 0 and block
/// in <c>WaitToRead</c>, so each wait parks on the futex at once and each message costs the writer a wake. One sample is
/// the time from before the ping's claim to the pong's arrival.
/// </summary>
internal static class NeoBufferRoundTrip
{
    public const string EchoVerb = "neobuffer-echo";

    // Spins between checks that the child is still alive, so a dead child fails the run instead of hanging it.
    private const int SpinsBetweenPeerChecks = 1 << 24;

    /// <summary>The round trip with spinning readers (the <c>spsc</c> and <c>report</c> rows).</summary>
    public static Measurement Measure(BenchRun run, int messageBytes) => Measure(run, messageBytes, ReaderWait.Spinning);

    public static Measurement Measure(BenchRun run, int messageBytes, ReaderWait wait)
    {
        int block = run.Plan.RoundTripBlock(Scenarios.NeoBuffer, wait);
        int total = run.RoundTripTotal(block);
        string pingName = run.NextName("ping");
        string pongName = run.NextName("pong");
        SharedChannelOptions options = Options(run.Directory, wait);

        using SharedChannelWriter ping = SharedChannel.CreateWriter(pingName, options);
        using SharedChannelReader pong = SharedChannel.CreateReader(pongName, options);
        using ChildProcess echo = BenchChildren.Start(EchoVerb, run.Directory, pingName, pongName, total, wait);
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
            while (!pong.TryLease(out lease))
            {
                if (wait == ReaderWait.Parked)
                {
                    PeerWait.ForMessage(pong, echo);
                }
                else if (++spins == SpinsBetweenPeerChecks)
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
        Measurement measured = Measurement.RoundTrip(Scenarios.NeoBuffer, messageBytes, block, timer.Blocks);
        return wait == ReaderWait.Parked ? measured with { Scenario = Scenarios.RoundTripParked } : measured;
    }

    /// <summary>The child: <c>DIRECTORY PING PONG COUNT WAIT</c>; echoes COUNT messages, waiting between them as WAIT says.</summary>
    public static void Echo(string[] args)
    {
        var wait = Enum.Parse<ReaderWait>(args[4]);
        SharedChannelOptions options = Options(args[0], wait);
        int count = int.Parse(args[3]);
        using SharedChannelReader ping = SharedChannel.OpenReader(args[1], options);
        using SharedChannelWriter pong = SharedChannel.OpenWriter(args[2], options);
        Console.WriteLine("ready");
        for (int i = 0; i < count; i++)
        {
            ReadLease lease;
            while (!ping.TryLease(out lease))
            {
                // Spinning reader: the case the spinning round-trip target is stated for; parked: the blocking read.
                if (wait == ReaderWait.Parked && !ping.WaitToRead(BenchRun.ChildTimeout))
                {
                    throw new InvalidOperationException("The ping channel completed before every ping was sent.");
                }
            }

            if (!pong.TryWrite(lease.Payload))
            {
                throw new InvalidOperationException("The pong channel is full although every pong was read.");
            }

            lease.Dispose();
        }
    }

    /// <summary>Parked: no spin at all before a wait parks (the default spins about 40 us first).</summary>
    private static SharedChannelOptions Options(string directory, ReaderWait wait) =>
        wait == ReaderWait.Parked ? new SharedChannelOptions { Directory = directory, SpinCount = 0 } : new SharedChannelOptions { Directory = directory };
}
