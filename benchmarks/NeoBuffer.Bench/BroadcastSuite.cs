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
/// The <c>broadcast</c> run: in each round, 8 MiB frames to 1, 2, 4 and 8 tethered subscribers, then 64 B messages
/// from 1, 2 and 4 MPSC producers, so the ratio to 1 subscriber compares sessions measured moments apart. Prints the
/// table (with producer and subscriber counts) and the broadcast target, and writes the JSON rows when asked.
/// </summary>
internal static class BroadcastSuite
{
    public static int Run(MeasurementPlan plan, string? jsonPath)
    {
        Console.WriteLine($"NeoBuffer broadcast and MPSC benchmark ({(plan.IsQuick ? "quick" : "full")}: {plan.Rounds} rounds; per round and row a fresh session of {plan.WarmupBlocks} warm-up (throughput: at least {MeasurementPlan.MinWarmupMessages} messages) + {plan.Blocks} timed blocks; rows are medians over the {plan.Rounds * plan.Blocks} timed blocks)");
        Console.WriteLine($"machine:     {MachineDescription.Describe()}; load average {MachineDescription.LoadAverage()} at start");
        Console.WriteLine($"broadcast:   this process produces {ResultTable.Size(MeasurementPlan.Large)} frames into a {ResultTable.Size(MeasurementPlan.RingCapacity(MeasurementPlan.Large))} ring, filling each in place; subscriber processes (tethered) each {MessageCheck.Description}; timed: the producer's frames/s");
        Console.WriteLine($"mpsc:        producer processes write {MeasurementPlan.Small} B messages into a {ResultTable.Size(MeasurementPlan.RingCapacity(MeasurementPlan.Small))} ring; this process consumes and {MessageCheck.Description} per producer; timed: messages/s received from all");
        Console.WriteLine("pinning:     none (the scheduler places every process; they outnumber the CPUs)");
        Console.WriteLine("GB = 1e9 bytes of payload; prod = producer processes, subs = reader processes");
        Console.WriteLine();

        var total = Stopwatch.StartNew();
        List<Measurement> sessions = BenchRun.Rounds(plan, Round);
        Console.WriteLine();
        List<ResultRow> rows = SuiteReport.Rows(sessions);
        SuiteReport.Print(rows, FrameRates(rows), Targets.BroadcastVerdicts(sessions), "the producer's rate to S subscribers over its rate to 1, within each round", jsonPath, participants: true);
        Console.WriteLine($"took {total.Elapsed.TotalSeconds:0.0} s; load average {MachineDescription.LoadAverage()} at the end");
        return 0;
    }

    /// <summary>One round of the broadcast and MPSC rows (also part of the <c>report</c> run).</summary>
    public static IEnumerable<Measurement> Round(BenchRun run)
    {
        foreach (int subscribers in MeasurementPlan.SubscriberCounts)
        {
            yield return BroadcastFrames.Measure(run, subscribers);
            yield return RawReadersBaseline.Measure(run, subscribers);
        }

        foreach (int producers in MeasurementPlan.ProducerCounts)
        {
            yield return MpscThroughput.Measure(run, producers);
        }
    }

    /// <summary>The broadcast rows again in frames per second, which the table's "M msgs/s" shows as 0.000.</summary>
    public static IEnumerable<string> FrameRates(List<ResultRow> rows)
    {
        yield return "the producer's 8 MiB frames per subscriber count, and the aggregate read by all subscribers (raw-readers: a plain shared buffer, no ring):";
        foreach (ResultRow row in rows.Where(row => row.Scenario == Scenarios.Broadcast))
        {
            yield return $"  {row.Transport,-11} {row.Subscribers} subscriber(s): {row.MsgsPerSec:0.0} frames/s, {row.GbPerSec:0.00} GB/s each, {row.GbPerSec * row.Subscribers:0.00} GB/s aggregate";
        }

        yield return string.Empty;
    }
}
