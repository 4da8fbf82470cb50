using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using NeoBuffer.Bench.Harness;
using NeoBuffer.Bench.Measurements;
using NeoBuffer.Bench.Report;
using NeoBuffer.Bench.Transports;
using NetMQ;

namespace NeoBuffer.Bench;

/// <summary>
/// The <c>report</c> run: the SPSC targets of docs/design.md ("Performance targets") for NeoBuffer, Unix domain sockets,
/// anonymous pipes and NetMQ with the raw limits (memcpy, the two-process handoff, ping-pong), then the parked round
/// trips, then broadcast to 1, 2, 4 and 8 subscribers beside as many raw readers and MPSC from 1, 2 and 4 producers, all
/// in the same rounds (each between two placement probes), and once at the end the idle CPU of parked readers. Prints
/// progress, the table and the target verdicts, and writes the Markdown page, the two PNG charts and (when asked) the
/// JSON rows.
/// </summary>
internal static class ReportSuite
{
    private const string Command = "dotnet run -c Release --project benchmarks/NeoBuffer.Bench --";

    private static readonly (string Name, Func<BenchRun, int, Measurement> Measure)[] Throughputs =
    [
        (Scenarios.NeoBuffer, NeoBufferThroughput.Measure),
        (Scenarios.NeoBufferBatch, NeoBufferBatchThroughput.Measure),
        (Scenarios.NeoBufferLargeRing, NeoBufferThroughput.MeasureLargeRing),
        (Scenarios.Uds, UdsThroughput.Measure),
        (Scenarios.Pipe, PipeThroughput.Measure),
        (Scenarios.NetMq, NetMqThroughput.Measure),
        (Scenarios.Memcpy, MemcpyBaseline.Measure),
        (Scenarios.Handoff, HandoffBaseline.Measure),
    ];

    private static readonly (string Name, Func<BenchRun, int, Measurement> Measure)[] RoundTrips =
    [
        (Scenarios.NeoBuffer, NeoBufferRoundTrip.Measure),
        (Scenarios.Uds, UdsRoundTrip.Measure),
        (Scenarios.Pipe, PipeRoundTrip.Measure),
        (Scenarios.NetMq, NetMqRoundTrip.Measure),
        (Scenarios.PingPong, RawPingPong.Measure),
    ];

    public static int Run(MeasurementPlan plan, ReportOutputs outputs, string arguments)
    {
        string machine = MachineDescription.Describe();
        List<string> header =
        [
            $"command: `{Command} {arguments}`",
            $"date: {DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC",
            $"machine: {machine}; load average {MachineDescription.LoadAverage()} at start",
            $"plan: {(plan.IsQuick ? "quick" : "full")}, {plan.Rounds} rounds; per round and row a fresh child process, {plan.WarmupBlocks} warm-up (throughput: at least {MeasurementPlan.MinWarmupMessages} messages) + {plan.Blocks} timed blocks{(plan.IsQuick ? string.Empty : " (at least 2 s together for 64 KiB and 8 MiB)")}; throughput rows are medians over the timed blocks, round-trip percentiles are over every sample; the last column is the spread across rounds",
            "producer: a child process copies each message from a private buffer into the transport and stamps a sequence number; "
                + $"consumer: this process {MessageCheck.Description}",
            $"neobuffer: a shared-memory ring (spin-then-park waits); neobuffer-batch ({MeasurementPlan.Small} B only): the same ring through TryWriteBatch of {NeoBufferBatchThroughput.BatchSize} messages and TryReadBatch; neobuffer-64mib-ring ({MeasurementPlan.Small} B only): one message per call through a {ResultTable.Size(MeasurementPlan.LargeSmallMessageRing)} ring instead of {ResultTable.Size(MeasurementPlan.RingCapacity(MeasurementPlan.Small))}; uds: Unix domain stream socket, one send(2) per message; pipe: anonymous pipe (buffer raised to 1 MiB) to the child, one write(2) per length-prefixed message; "
                + "netmq: NetMQ 4.0.4.5 PUSH/PULL (round trip: REQ/REP) over TCP loopback; memcpy: one thread copies each message into a region as large as the ring; "
                + "handoff: the same fill and read between two processes through as many slots of a plain shared buffer as the ring holds, one flag word flipped per message, each side spinning then parking on it as the ring does; pingpong: two processes spin on two cache lines",
            $"pinning: {CpuPinning.Description}; broadcast subscribers, raw readers and MPSC producers may run on any CPU (they outnumber the CPUs)",
            $"placement: a raw ping-pong probe before and after each round; the run groups its own probes (sorted, a new group where one is over {Placement.DistinctFactor:0.#}x the one below): one group is single, else near and far, and a round whose two probes fall in different groups is moved; rows are per placement, and targets are judged on the placement most rounds ran in",
            $"broadcast: this process produces {ResultTable.Size(MeasurementPlan.Large)} frames into a {ResultTable.Size(MeasurementPlan.RingCapacity(MeasurementPlan.Large))} ring; tethered subscriber processes each read every byte; raw-readers: the same through three frame slots of a plain shared buffer, no ring, waits spinning then parking as the ring's do; timed: the producer's frames/s",
            $"mpsc: producer processes write {MeasurementPlan.Small} B messages into a {ResultTable.Size(MeasurementPlan.RingCapacity(MeasurementPlan.Small))} ring, this process consumes; parked: {MeasurementPlan.Small} B round trips with both sides parked (SpinCount 0) against UDS and a raw futex ping-pong; idle: {IdleReaders.Description}",
            "GB = 1e9 bytes of payload; round-trip msgs/s = round trips per second",
        ];
        header.ForEach(Console.WriteLine);
        Console.WriteLine();

        var total = Stopwatch.StartNew();
        int round = 0;
        List<Measurement> sessions = BenchRun.Rounds(plan, run => Round(run, ++round, plan.Rounds));
        NetMQConfig.Cleanup(block: false);
        Console.WriteLine();

        Console.Error.WriteLine($"idle readers: {plan.IdleWindow.TotalSeconds:0} s");
        List<IdleReaderResult> idle = BenchRun.Once(plan, run => IdleReaders.Measure(run, MeasurementPlan.Small));
        List<ResultRow> idleRows = idle.Select(reader => reader.ToRow(MeasurementPlan.Small)).ToList();
        List<ResultRow> rows = [.. SuiteReport.Rows(sessions), .. idleRows];
        List<string> notes = [.. Notes(rows), .. BroadcastSuite.FrameRates(rows), .. ParkedSuite.Notes(sessions, idle)];
        List<string> verdicts = [.. Targets.Verdicts(sessions), .. Targets.BroadcastVerdicts(sessions), .. Targets.ParkedVerdicts(sessions, idleRows)];
        SuiteReport.Print(rows, notes, verdicts, "each ratio is taken within a round, against the baseline measured moments before or after it", outputs.Json, participants: true);
        header.Add($"took {total.Elapsed.TotalSeconds:0.0} s; load average {MachineDescription.LoadAverage()} at the end");
        MarkdownReport.Write(outputs.Markdown, header, rows, notes, verdicts, outputs.Chart, outputs.BroadcastChart);
        Console.WriteLine($"wrote {outputs.Markdown}");
        ThroughputChart.Draw(outputs.Chart, rows, machine);
        Console.WriteLine($"wrote {outputs.Chart}");
        BroadcastChart.Draw(outputs.BroadcastChart, rows, machine);
        Console.WriteLine($"wrote {outputs.BroadcastChart}");
        Console.WriteLine(header[^1]);
        return 0;
    }

    private static IEnumerable<Measurement> Round(BenchRun run, int round, int rounds)
    {
        foreach (int size in MeasurementPlan.MessageSizes)
        {
            foreach ((string name, Func<BenchRun, int, Measurement> measure) in Throughputs)
            {
                if (name == Scenarios.Handoff && size == MeasurementPlan.Small)
                {
                    continue; // one flag flip per 64 B message measures the cache line's round trip, not a hand-off of data
                }

                if (name == Scenarios.NeoBufferBatch && size != MeasurementPlan.Small)
                {
                    continue; // batches are for small messages: a large one is one publication per message anyway
                }

                if (name == Scenarios.NeoBufferLargeRing && size != MeasurementPlan.Small)
                {
                    continue; // the larger sizes have their own rings already (4 and 32 MiB)
                }

                Console.Error.WriteLine($"  round {round} of {rounds}: {name} {ResultTable.Size(size)} throughput");
                yield return measure(run, size);
            }
        }

        foreach ((string name, Func<BenchRun, int, Measurement> measure) in RoundTrips)
        {
            Console.Error.WriteLine($"  round {round} of {rounds}: {name} {MeasurementPlan.Small} B round trip");
            yield return measure(run, MeasurementPlan.Small);
        }

        Console.Error.WriteLine($"  round {round} of {rounds}: parked round trips");
        foreach (Measurement parked in ParkedSuite.Round(run))
        {
            yield return parked;
        }

        Console.Error.WriteLine($"  round {round} of {rounds}: broadcast and mpsc");
        foreach (Measurement shared in BroadcastSuite.Round(run))
        {
            yield return shared;
        }
    }

    private static IEnumerable<string> Notes(List<ResultRow> rows)
    {
        ResultRow? netMqLarge = rows.FirstOrDefault(row => row.Transport == Scenarios.NetMq && row.MessageBytes == MeasurementPlan.Large);
        if (netMqLarge is not null)
        {
            yield return $"netmq {ResultTable.Size(MeasurementPlan.Large)}: only {netMqLarge.Messages} messages per timed block (the other transports send 20-60): each takes NetMQ milliseconds through its I/O threads and TCP loopback";
        }

        yield return "round trips: neobuffer and pingpong spin; uds, pipe and netmq block in the kernel (they have no cheap way to spin), and netmq adds a hop through its I/O thread on each side";
        yield return string.Empty;
    }
}
