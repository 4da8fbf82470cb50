using System;
using System.Collections.Generic;
using System.Diagnostics;
using NeoBuffer.Bench.Harness;
using NeoBuffer.Bench.Measurements;
using NeoBuffer.Bench.Report;
using NeoBuffer.Bench.Transports;

namespace NeoBuffer.Bench;

/// <summary>
/// The <c>spsc</c> run: in each round, for each message size, NeoBuffer, the socket baseline and the memcpy limit back
/// to back, then the three round trips, so a ratio compares figures measured moments apart. Prints the table and the
/// target verdicts, and writes the JSON rows when asked.
/// </summary>
internal static class SpscSuite
{
    /// <param name="plan">How much to measure.</param>
    /// <param name="jsonPath">Where to write the JSON rows, if anywhere.</param>
    /// <param name="onlySize">Only the throughput rows of this message size (no round trips): a before/after comparison of one row.</param>
    public static int Run(MeasurementPlan plan, string? jsonPath, int? onlySize = null)
    {
        Console.WriteLine($"NeoBuffer SPSC benchmark ({(plan.IsQuick ? "quick" : "full")}: {plan.Rounds} rounds; per round and row a fresh session of {plan.WarmupBlocks} warm-up (throughput: at least {MeasurementPlan.MinWarmupMessages} messages) + {plan.Blocks} timed blocks; rows are medians over the {plan.Rounds * plan.Blocks} timed blocks)");
        Console.WriteLine($"machine:  {MachineDescription.Describe()}; load average {MachineDescription.LoadAverage()} at start");
        Console.WriteLine("producer: a child process; copies each message from a private buffer into the transport and stamps a sequence number");
        Console.WriteLine($"consumer: this process; {MessageCheck.Description}");
        Console.WriteLine($"batch:    neobuffer-batch ({MeasurementPlan.Small} B): the producer copies {NeoBufferBatchThroughput.BatchSize} stamped messages in with one TryWriteBatch, the consumer reads with TryReadBatch");
        Console.WriteLine($"ring:     neobuffer-64mib-ring ({MeasurementPlan.Small} B): one message per call, as neobuffer, through a {ResultTable.Size(MeasurementPlan.LargeSmallMessageRing)} ring instead of {ResultTable.Size(MeasurementPlan.RingCapacity(MeasurementPlan.Small))}");
        Console.WriteLine("memcpy:   one thread copies each message into the next slot of a region as large as the ring; pingpong: two processes spin on two cache lines");
        Console.WriteLine("handoff:  the same fill and read between two processes through as many slots of a plain shared buffer as the ring holds, one flag word flipped per message, each side spinning then parking on it as the ring does (64 KiB and 8 MiB)");
        Console.WriteLine($"pinning:  {CpuPinning.Description}");
        Console.WriteLine("GB = 1e9 bytes of payload; round-trip msgs/s = round trips per second");
        Console.WriteLine();

        var total = Stopwatch.StartNew();
        List<Measurement> sessions = BenchRun.Rounds(plan, run => onlySize is int size ? Throughput(run, size) : Round(run));
        Console.WriteLine();
        SuiteReport.Print(SuiteReport.Rows(sessions), [], Targets.Verdicts(sessions), "each ratio is taken within a round, against the baseline measured moments before or after it", jsonPath, participants: false);
        Console.WriteLine($"took {total.Elapsed.TotalSeconds:0.0} s; load average {MachineDescription.LoadAverage()} at the end (this run itself keeps about 2 busy)");
        return 0;
    }

    private static IEnumerable<Measurement> Round(BenchRun run)
    {
        foreach (int size in MeasurementPlan.MessageSizes)
        {
            foreach (Measurement measurement in Throughput(run, size))
            {
                yield return measurement;
            }
        }

        yield return NeoBufferRoundTrip.Measure(run, MeasurementPlan.Small);
        yield return UdsRoundTrip.Measure(run, MeasurementPlan.Small);
        yield return RawPingPong.Measure(run, MeasurementPlan.Small);
    }

    private static IEnumerable<Measurement> Throughput(BenchRun run, int size)
    {
        yield return NeoBufferThroughput.Measure(run, size);
        if (size == MeasurementPlan.Small)
        {
            yield return NeoBufferBatchThroughput.Measure(run, size); // batches pay off for small messages: one publication per batch
            yield return NeoBufferThroughput.MeasureLargeRing(run, size);
        }

        yield return UdsThroughput.Measure(run, size);
        yield return MemcpyBaseline.Measure(run, size);
        if (size > MeasurementPlan.Small)
        {
            yield return HandoffBaseline.Measure(run, size);
        }
    }
}
