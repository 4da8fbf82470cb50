using System;
using System.Collections.Generic;
using System.Diagnostics;
using NeoBuffer.Bench.Harness;
using NeoBuffer.Bench.Measurements;
using NeoBuffer.Bench.Report;
using NeoBuffer.Bench.Transports;

namespace NeoBuffer.Bench;

/// <summary>
/// The <c>spsc</c> run: for each message size, NeoBuffer, the socket baseline and the memcpy limit back to back (so a
/// ratio compares figures measured moments apart), then the round trips. Prints the table and the target verdicts,
/// and writes the JSON rows when asked.
/// </summary>
internal static class SpscSuite
{
    public static int Run(MeasurementPlan plan, string? jsonPath)
    {
        Console.WriteLine($"NeoBuffer SPSC benchmark ({(plan.IsQuick ? "quick" : "full")}: median of {plan.Blocks} timed blocks after {plan.WarmupBlocks} warm-up blocks per row)");
        Console.WriteLine($"machine:  {MachineDescription.Describe()}; load average {MachineDescription.LoadAverage()} at start");
        Console.WriteLine("producer: a child process; copies each message from a private buffer into the transport and stamps a sequence number");
        Console.WriteLine($"consumer: this process; {MessageCheck.Description}");
        Console.WriteLine("memcpy:   one thread copies each message into the next slot of a region as large as the ring; pingpong: two processes spin on two cache lines");
        Console.WriteLine($"pinning:  {CpuPinning.Description}");
        Console.WriteLine("GB = 1e9 bytes of payload; round-trip msgs/s = round trips per second");
        Console.WriteLine();

        var total = Stopwatch.StartNew();
        var rows = new List<ResultRow>();
        using var scratch = new ScratchDirectory();
        var run = new BenchRun(plan, scratch);

        foreach (int size in MeasurementPlan.MessageSizes)
        {
            rows.Add(Report(NeoBufferThroughput.Measure(run, size)));
            rows.Add(Report(UdsThroughput.Measure(run, size)));
            rows.Add(Report(MemcpyBaseline.Measure(run, size)));
        }

        rows.Add(Report(NeoBufferRoundTrip.Measure(run, MeasurementPlan.Small)));
        rows.Add(Report(UdsRoundTrip.Measure(run, MeasurementPlan.Small)));
        rows.Add(Report(RawPingPong.Measure(run, MeasurementPlan.Small)));

        Console.WriteLine();
        ResultTable.Print(Console.Out, rows);
        Console.WriteLine();
        Console.WriteLine("targets (DESIGN.md section 6, against baselines of this run):");
        foreach (string verdict in Targets.Verdicts(rows))
        {
            Console.WriteLine(verdict);
        }

        if (jsonPath is not null)
        {
            JsonReport.Write(jsonPath, rows);
            Console.WriteLine($"wrote {rows.Count} rows to {jsonPath}");
        }

        Console.WriteLine($"took {total.Elapsed.TotalSeconds:0.0} s; load average {MachineDescription.LoadAverage()} at the end (this run itself keeps about 2 busy)");
        return 0;
    }

    private static ResultRow Report(ResultRow row)
    {
        Console.Error.WriteLine($"  measured {row.Scenario} {row.Transport} {ResultTable.Size(row.MessageBytes)}");
        return row;
    }
}
