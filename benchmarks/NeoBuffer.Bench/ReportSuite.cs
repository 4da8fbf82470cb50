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
/// The <c>report</c> run: the SPSC targets of docs/design.md ("Performance targets") for NeoBuffer, Unix domain sockets, anonymous
/// pipes and NetMQ, with the raw limits (memcpy, ping-pong), all in the same rounds: in each round, for each message
/// size, every transport back to back, then every round trip. Prints progress, the table and the target verdicts, and
/// writes the Markdown page, the PNG chart and (when asked) the JSON rows.
/// </summary>
internal static class ReportSuite
{
    private const string Command = "dotnet run -c Release --project benchmarks/NeoBuffer.Bench --";

    private static readonly (string Name, Func<BenchRun, int, Measurement> Measure)[] Throughputs =
    [
        (Scenarios.NeoBuffer, NeoBufferThroughput.Measure),
        (Scenarios.Uds, UdsThroughput.Measure),
        (Scenarios.Pipe, PipeThroughput.Measure),
        (Scenarios.NetMq, NetMqThroughput.Measure),
        (Scenarios.Memcpy, MemcpyBaseline.Measure),
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
            $"plan: {(plan.IsQuick ? "quick" : "full")}, {plan.Rounds} rounds; per round and row a fresh child process, {plan.WarmupBlocks} warm-up + {plan.Blocks} timed blocks; rows are medians over the {plan.Rounds * plan.Blocks} timed blocks",
            "producer: a child process copies each message from a private buffer into the transport and stamps a sequence number; "
                + $"consumer: this process {MessageCheck.Description}",
            "neobuffer: a shared-memory ring (spin-then-park waits); uds: Unix domain stream socket, one send(2) per message; pipe: anonymous pipe (buffer raised to 1 MiB) to the child, one write(2) per length-prefixed message; "
                + "netmq: NetMQ 4.0.4.5 PUSH/PULL (round trip: REQ/REP) over TCP loopback; memcpy: one thread copies each message into a region as large as the ring; pingpong: two processes spin on two cache lines",
            $"pinning: {CpuPinning.Description}",
            "GB = 1e9 bytes of payload; round-trip msgs/s = round trips per second",
        ];
        header.ForEach(Console.WriteLine);
        Console.WriteLine();

        var total = Stopwatch.StartNew();
        int round = 0;
        List<Measurement> sessions = BenchRun.Rounds(plan, run => Round(run, ++round, plan.Rounds));
        NetMQConfig.Cleanup(block: false);
        Console.WriteLine();

        List<ResultRow> rows = SuiteReport.Rows(sessions);
        List<string> notes = Notes(rows).ToList();
        List<string> verdicts = Targets.Verdicts(sessions).ToList();
        SuiteReport.Print(rows, notes, verdicts, "each ratio is taken within a round, against the baseline measured moments before or after it", outputs.Json, participants: false);
        header.Add($"took {total.Elapsed.TotalSeconds:0.0} s; load average {MachineDescription.LoadAverage()} at the end");
        MarkdownReport.Write(outputs.Markdown, header, rows, notes, verdicts, outputs.Chart);
        Console.WriteLine($"wrote {outputs.Markdown}");
        ThroughputChart.Draw(outputs.Chart, rows, machine);
        Console.WriteLine($"wrote {outputs.Chart}");
        Console.WriteLine(header[^1]);
        return 0;
    }

    private static IEnumerable<Measurement> Round(BenchRun run, int round, int rounds)
    {
        foreach (int size in MeasurementPlan.MessageSizes)
        {
            foreach ((string name, Func<BenchRun, int, Measurement> measure) in Throughputs)
            {
                Console.Error.WriteLine($"  round {round} of {rounds}: {name} {ResultTable.Size(size)} throughput");
                yield return measure(run, size);
            }
        }

        foreach ((string name, Func<BenchRun, int, Measurement> measure) in RoundTrips)
        {
            Console.Error.WriteLine($"  round {round} of {rounds}: {name} {MeasurementPlan.Small} B round trip");
            yield return measure(run, MeasurementPlan.Small);
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
