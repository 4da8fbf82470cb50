using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using NeoBuffer.Bench.Harness;
using NeoBuffer.Bench.Measurements;
using NeoBuffer.Bench.Report;
using NeoBuffer.Bench.Transports;

namespace NeoBuffer.Bench;

/// <summary>
/// The <c>parked</c> run: the two targets about parked readers (docs/design.md, "Performance targets"). In each round, the 64 B round trip
/// with both sides parked (NeoBuffer with SpinCount 0 and the blocking read), the socket's round trip (which always
/// blocks) and the raw futex ping-pong, back to back, so the ratio to UDS compares sessions measured moments apart.
/// Then, once, parked reader processes left idle (<see cref="IdleReaders"/>): their CPU time and wake-ups, and whether
/// each still gets the final message. Prints both tables and the verdicts, and writes the JSON rows when asked.
/// </summary>
internal static class ParkedSuite
{
    public static int Run(MeasurementPlan plan, string? jsonPath)
    {
        Console.WriteLine($"NeoBuffer parked-reader benchmark ({(plan.IsQuick ? "quick" : "full")}: {plan.Rounds} rounds of round trips; per round and row a fresh session of {plan.WarmupBlocks} warm-up + {plan.Blocks} timed blocks; rows are medians over the {plan.Rounds * plan.Blocks} timed blocks; then one idle window of {plan.IdleWindow.TotalSeconds:0} s)");
        Console.WriteLine($"machine:    {MachineDescription.Describe()}; load average {MachineDescription.LoadAverage()} at start");
        Console.WriteLine($"round trip: {MeasurementPlan.Small} B ping-pong between this process and a child; neobuffer: two SPSC channels, readers with SpinCount 0 blocking in WaitToRead (each wait parks on the futex at once); uds: one Unix socket, both ends blocking in recv(2); futex: two words of a shared mapping, each side FUTEX_WAITs and the other stores and FUTEX_WAKEs");
        Console.WriteLine($"idle:       {IdleReaders.Description}; CPU = utime+stime of /proc/PID/stat ({ProcessUsage.TicksPerSecond} ticks/s), wake-ups = voluntary context switches of all the process's threads");
        Console.WriteLine($"pinning:    {CpuPinning.Description} (an idle reader's main thread too)");
        Console.WriteLine();

        var total = Stopwatch.StartNew();
        List<Measurement> sessions = BenchRun.Rounds(plan, Round);
        Console.Error.WriteLine($"idle readers: {plan.IdleWindow.TotalSeconds:0} s");
        List<IdleReaderResult> idle = BenchRun.Once(plan, run => IdleReaders.Measure(run, MeasurementPlan.Small));
        Console.WriteLine();

        List<ResultRow> idleRows = idle.Select(reader => reader.ToRow(MeasurementPlan.Small)).ToList();
        List<ResultRow> rows = [.. SuiteReport.Rows(sessions), .. idleRows];
        SuiteReport.Print(rows, Notes(sessions, idle), Targets.ParkedVerdicts(sessions, idleRows), "the round trip against UDS within each round; idle CPU per reader process", jsonPath, participants: false);
        int missed = idle.Count(reader => !reader.GotFinalMessage);
        Console.WriteLine($"took {total.Elapsed.TotalSeconds:0.0} s; load average {MachineDescription.LoadAverage()} at the end; final message received by {idle.Count - missed} of {idle.Count} idle readers");
        return missed == 0 ? 0 : 1;
    }

    /// <summary>One round of the parked round trips (also part of the <c>report</c> run).</summary>
    public static IEnumerable<Measurement> Round(BenchRun run)
    {
        yield return NeoBufferRoundTrip.Measure(run, MeasurementPlan.Small, ReaderWait.Parked);
        yield return UdsRoundTrip.Measure(run, MeasurementPlan.Small, ReaderWait.Parked);
        yield return RawPingPong.Measure(run, MeasurementPlan.Small, ReaderWait.Parked);
    }

    /// <summary>The per-round ratios behind the round-trip verdict, and each idle reader's raw figures.</summary>
    public static IEnumerable<string> Notes(List<Measurement> sessions, List<IdleReaderResult> idle)
    {
        string PerRound(string baseline, Func<ResultRow, double> figure) =>
            string.Join(" ", Targets.ParkedRatios(sessions, Scenarios.NeoBuffer, baseline, figure).Select(ratio => ratio.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)));

        yield return "parked round trip, neobuffer over the baseline of the same round, round by round:";
        yield return $"  p50 / uds:   {PerRound(Scenarios.Uds, row => row.P50Ns!.Value)}";
        yield return $"  p99 / uds:   {PerRound(Scenarios.Uds, row => row.P99Ns!.Value)}";
        yield return $"  p50 / futex: {PerRound(Scenarios.Futex, row => row.P50Ns!.Value)}";
        yield return string.Empty;
        yield return "idle readers (one window for all; CPU time counts in whole ticks):";
        foreach (IdleReaderResult reader in idle)
        {
            yield return $"  pid {reader.Pid,-7} {reader.Reader,-27} cpu {reader.CpuSeconds:0.00} s over {reader.WallSeconds:0.0} s, {reader.Wakeups} wake-ups; final message {(reader.GotFinalMessage ? "received" : "NOT received")}";
            yield return $"    wake-ups by thread: {string.Join(", ", reader.WakeupsByThread.Select(thread => $"{thread.Key} {thread.Value}"))}";
        }

        yield return string.Empty;
    }
}
