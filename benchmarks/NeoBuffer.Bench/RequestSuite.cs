using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using NeoBuffer.Bench.Harness;
using NeoBuffer.Bench.Measurements;
using NeoBuffer.Bench.Report;
using NeoBuffer.Bench.Transports;

namespace NeoBuffer.Bench;

/// <summary>
/// The <c>request</c> run: request/response round trips (p50, p99) and requests/s for 64 B and 64 KiB requests, 1 and 4
/// clients, through NeoBuffer's <see cref="SharedServer{TRequest, TResponse}"/>, through plain Unix domain sockets and
/// through gRPC over a Unix domain socket, with the raw ping-pong of the same round as the limit. Every session of a round runs moments after the others, so
/// the ratios compare like with like.
/// </summary>
internal static class RequestSuite
{
    public static int Run(MeasurementPlan plan, string? jsonPath)
    {
        Console.WriteLine($"NeoBuffer request/response benchmark ({(plan.IsQuick ? "quick" : "full")}: {plan.Rounds} rounds; per round and row a fresh session of {plan.WarmupBlocks} warm-up + {plan.Blocks} timed blocks per client; rows are medians over the blocks)");
        Console.WriteLine($"machine:    {MachineDescription.Describe()}; load average {MachineDescription.LoadAverage()} at start");
        Console.WriteLine("neobuffer:  a SharedServer child (ServeAsync, SpinCount 40000, so its async wait spins about 1 ms) answering each request with its body; CLIENTS SharedClients in this process, a thread each, one request at a time, built in place (ClaimRequest, SendAsync), SpinCount 2500");
        Console.WriteLine("uds:        CLIENTS Unix stream sockets, an echo child each, a thread each here sending a frame and blocking in recv(2) for the echo");
        Console.WriteLine("grpc-uds:   a Grpc.AspNetCore server child (Kestrel on a Unix socket, HTTP/2) with a unary Echo(bytes); CLIENTS Grpc.Net.Client channels here (SocketsHttpHandler ConnectCallback to the socket), a thread each, one call at a time");
        Console.WriteLine("pingpong:   the raw round-trip limit (two processes bouncing a cache line), 64 B row");
        Console.WriteLine("requests/s: the sum over clients of each client's rate (the clients run at once); p50/p99 over every client's samples");
        Console.WriteLine();

        var total = Stopwatch.StartNew();
        List<Measurement> sessions = BenchRun.Rounds(plan, Round);
        List<ResultRow> rows = WithGrpcRatios(SuiteReport.Rows(sessions).Select(Aggregate).ToList());
        SuiteReport.Print(rows, Notes(sessions), Verdicts(sessions), "64 B round trip p50 <= 2x the raw ping-pong of the same round; requests/s >= 50x gRPC over UDS", jsonPath, participants: true);
        Console.WriteLine($"took {total.Elapsed.TotalSeconds:0.0} s; load average {MachineDescription.LoadAverage()} at the end");
        return 0;
    }

    private static IEnumerable<Measurement> Round(BenchRun run)
    {
        yield return RawPingPong.Measure(run, MeasurementPlan.Small);
        foreach (int size in RequestPlan.MessageSizes)
        {
            foreach (int clients in RequestPlan.ClientCounts)
            {
                Console.Error.WriteLine($"  {size} B, {clients} client(s)");
                yield return NeoBufferRequests.Measure(run, size, clients);
                yield return UdsRequests.Measure(run, size, clients);
                yield return GrpcRequests.Measure(run, size, clients);
            }
        }
    }

    // A request row's rate is each client's: the clients ran at once, so the service's rate is their sum.
    private static ResultRow Aggregate(ResultRow row) =>
        row.Scenario == Scenarios.Request ? row with { MsgsPerSec = row.MsgsPerSec * row.Producers } : row;

    // Each NeoBuffer request row carries its requests/s over gRPC's for the same size, clients and placement (the JSON's
    // ratio): rows are per placement, and a ratio never compares two placements.
    private static List<ResultRow> WithGrpcRatios(List<ResultRow> rows) => rows.Select(row =>
    {
        if (row.Scenario != Scenarios.Request || row.Transport != Scenarios.NeoBuffer)
        {
            return row;
        }

        ResultRow? grpc = rows.SingleOrDefault(other => other.Scenario == Scenarios.Request && other.Transport == Scenarios.Grpc &&
            other.MessageBytes == row.MessageBytes && other.Producers == row.Producers && other.Placement == row.Placement);
        return grpc is null ? row : row with { RequestsOverGrpc = row.MsgsPerSec / grpc.MsgsPerSec };
    }).ToList();

    private static IEnumerable<string> Notes(List<Measurement> sessions)
    {
        yield return "per round: neobuffer 64 B, 1 client, p50 over the ping-pong's p50 of the same round; requests/s over uds's and over grpc-uds's:";
        foreach (int round in sessions.Select(s => s.Round).Distinct())
        {
            string rates = string.Join("; ", RequestPlan.MessageSizes.SelectMany(size => RequestPlan.ClientCounts.Select(clients =>
                FormattableString.Invariant($"{size} B x{clients} {RateRatio(sessions, round, Scenarios.Uds, size, clients):0.0}x uds, {RateRatio(sessions, round, Scenarios.Grpc, size, clients):0.0}x grpc-uds"))));
            yield return FormattableString.Invariant($"  round {round}: p50 / ping-pong {P50Ratio(sessions, round):0.00}; {rates}");
        }

        yield return string.Empty;
    }

    private static IEnumerable<string> Verdicts(List<Measurement> all)
    {
        // Judged on the rounds of one placement, as every suite's verdicts are: per-round ratios of two placements differ by more than the effects measured.
        List<Measurement> sessions = Targets.OnePlacement(all, out string placement).ToList();
        yield return placement;
        double[] ratios = sessions.Select(s => s.Round).Distinct().Select(round => P50Ratio(sessions, round)).Order().ToArray();
        double median = ratios[ratios.Length / 2];
        yield return string.Create(CultureInfo.InvariantCulture,
            $"64 B round trip p50, 1 client: {median:0.00}x the raw ping-pong [{ratios[0]:0.00}, {ratios[^1]:0.00}] (target <= 2x): {(median <= 2 ? "met" : "NOT met")}");
        foreach (int size in RequestPlan.MessageSizes)
        {
            foreach (int clients in RequestPlan.ClientCounts)
            {
                double[] rates = sessions.Select(s => s.Round).Distinct().Select(round => RateRatio(sessions, round, Scenarios.Grpc, size, clients)).Order().ToArray();
                double rate = rates[rates.Length / 2];
                yield return string.Create(CultureInfo.InvariantCulture,
                    $"requests/s, {size} B, {clients} client(s): {rate:0.0}x gRPC over UDS [{rates[0]:0.0}, {rates[^1]:0.0}] (target >= 50x): {(rate >= 50 ? "met" : "NOT met")}");
            }
        }
    }

    private static double P50Ratio(List<Measurement> sessions, int round) =>
        Row(sessions, round, Scenarios.Request, Scenarios.NeoBuffer, MeasurementPlan.Small, 1).P50Ns!.Value /
        Row(sessions, round, Scenarios.RoundTrip, Scenarios.PingPong, MeasurementPlan.Small, 1).P50Ns!.Value;

    private static double RateRatio(List<Measurement> sessions, int round, string baseline, int size, int clients) =>
        Rate(sessions, round, Scenarios.NeoBuffer, size, clients) / Rate(sessions, round, baseline, size, clients);

    private static double Rate(List<Measurement> sessions, int round, string transport, int size, int clients) =>
        Aggregate(Row(sessions, round, Scenarios.Request, transport, size, clients)).MsgsPerSec!.Value;

    private static ResultRow Row(List<Measurement> sessions, int round, string scenario, string transport, int size, int clients) =>
        ResultRow.From(sessions.Where(s => s.Round == round && s.Row == (scenario, transport, size, clients, 1)).ToList());
}
