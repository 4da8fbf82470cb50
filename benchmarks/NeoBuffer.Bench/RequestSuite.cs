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
/// through gRPC over a Unix domain socket, with the raw ping-pong of the same round as the limit and a protocol-free echo
/// through plain shared memory (<see cref="RawEcho"/>) as the floor of the work every row does. Every session of a round runs moments after the others, so
/// the ratios compare like with like.
/// </summary>
internal static class RequestSuite
{
    // The payload of a 64 B request's record in its ring: the 24-byte request envelope, then the message (a response's
    // is 16 + 64). The rings row moves records of that size through two bare SPSC channels: the round trip under the
    // request layer, so the two rows apart show what the layer itself adds.
    private const int RingRecordBytes = 24 + MeasurementPlan.Small;

    public static int Run(MeasurementPlan plan, string? jsonPath)
    {
        Console.WriteLine($"NeoBuffer request/response benchmark ({(plan.IsQuick ? "quick" : "full")}: {plan.Rounds} rounds; per round and row a fresh session of {plan.WarmupBlocks} warm-up + {plan.Blocks} timed blocks per client; rows are medians over the blocks)");
        Console.WriteLine($"machine:    {MachineDescription.Describe()}; load average {MachineDescription.LoadAverage()} at start");
        Console.WriteLine("neobuffer:  a SharedServer child (ServeAsync, SpinCount 40000, so its async wait spins about 1 ms) answering each request with its body, read in place in the request ring (its handler finishes synchronously: no copy of the request); CLIENTS SharedClients in this process, a thread each, one request at a time, built in place (ClaimRequest) and sent blocking (Send: spins about 1 ms, SpinCount 2500, then parks the thread)");
        Console.WriteLine("neobuffer-async: the same server; CLIENTS SharedClients as async loops on the thread pool awaiting SendAsync (a parked request's continuation runs on the pool)");
        Console.WriteLine("uds:        CLIENTS Unix stream sockets, an echo child each, a thread each here sending a frame and blocking in recv(2) for the echo");
        Console.WriteLine("grpc-uds:   a Grpc.AspNetCore server child (Kestrel on a Unix socket, HTTP/2) with a unary Echo(bytes); CLIENTS Grpc.Net.Client channels here (SocketsHttpHandler ConnectCallback to the socket), a thread each, one call at a time");
        Console.WriteLine("pingpong:   the raw round-trip limit (two processes bouncing a cache line), 64 B row; futex: the raw parked round trip (each side sleeps in FUTEX_WAIT, the other always calls FUTEX_WAKE), the limit once requests park");
        Console.WriteLine($"rings:      neobuffer {RingRecordBytes} B round trips through two bare SPSC channels (the spsc suite's spinning round trip at a 64 B request's record size), no request layer: what the rings under the request rows cost by themselves");
        Console.WriteLine("raw-echo:   the echo's floor, 1 client: this process fills a request into a plain /dev/shm file and stores one word, an echo child spinning on it copies the bytes into a response stretch and stores one word, this process reads every byte in place; no protocol at all, so no shared-memory transport doing this echo is faster");
        Console.WriteLine("requests/s: the sum over clients of each client's rate (the clients run at once); p50/p99 over every client's samples");
        Console.WriteLine();

        var total = Stopwatch.StartNew();
        List<Measurement> sessions = BenchRun.Rounds(plan, Round);
        List<ResultRow> rows = WithGrpcRatios(SuiteReport.Rows(sessions).Select(Aggregate).ToList());
        SuiteReport.Print(rows, Notes(sessions), Verdicts(sessions), "64 B round trip p50 <= 2x the raw ping-pong of the same round; requests/s >= 50x gRPC over UDS (each for the blocking and the async client)", jsonPath, participants: true);
        Console.WriteLine($"took {total.Elapsed.TotalSeconds:0.0} s; load average {MachineDescription.LoadAverage()} at the end");
        return 0;
    }

    private static IEnumerable<Measurement> Round(BenchRun run)
    {
        yield return RawPingPong.Measure(run, MeasurementPlan.Small);
        yield return RawPingPong.Measure(run, MeasurementPlan.Small, ReaderWait.Parked);
        yield return NeoBufferRoundTrip.Measure(run, RingRecordBytes);
        foreach (int size in RequestPlan.MessageSizes)
        {
            foreach (int clients in RequestPlan.ClientCounts)
            {
                Console.Error.WriteLine($"  {size} B, {clients} client(s)");
                yield return NeoBufferRequests.Measure(run, size, clients, blocking: true);
                yield return NeoBufferRequests.Measure(run, size, clients, blocking: false);
                yield return UdsRequests.Measure(run, size, clients);
                yield return GrpcRequests.Measure(run, size, clients);
            }

            yield return RawEcho.Measure(run, size);
        }
    }

    // A request row's rate is each client's: the clients ran at once, so the service's rate is their sum.
    private static ResultRow Aggregate(ResultRow row) =>
        row.Scenario == Scenarios.Request ? row with { MsgsPerSec = row.MsgsPerSec * row.Producers } : row;

    // Each NeoBuffer (and raw-echo) request row carries its requests/s over gRPC's for the same size, clients and placement (the JSON's
    // ratio): rows are per placement, and a ratio never compares two placements.
    private static List<ResultRow> WithGrpcRatios(List<ResultRow> rows) => rows.Select(row =>
    {
        if (row.Scenario != Scenarios.Request || row.Transport is not (Scenarios.NeoBuffer or Scenarios.NeoBufferAsync or Scenarios.RawEcho))
        {
            return row;
        }

        ResultRow? grpc = rows.SingleOrDefault(other => other.Scenario == Scenarios.Request && other.Transport == Scenarios.Grpc &&
            other.MessageBytes == row.MessageBytes && other.Producers == row.Producers && other.Placement == row.Placement);
        return grpc is null ? row : row with { RequestsOverGrpc = row.MsgsPerSec / grpc.MsgsPerSec };
    }).ToList();

    private static IEnumerable<string> Notes(List<Measurement> sessions)
    {
        yield return "per round: neobuffer (blocking) and neobuffer-async 64 B, 1 client (and the rings' round trip), p50 over the ping-pong's p50 of the same round; 64 B, 4 clients, p50 over the raw futex round trip's p50 (4 clients and a server on 2 CPUs park);";
        yield return "           requests/s over uds's and over grpc-uds's (neobuffer-async's over grpc-uds's in brackets):";
        foreach (int round in sessions.Select(s => s.Round).Distinct())
        {
            string rates = string.Join("; ", RequestPlan.MessageSizes.SelectMany(size => RequestPlan.ClientCounts.Select(clients =>
                FormattableString.Invariant($"{size} B x{clients} {RateRatio(sessions, round, Scenarios.NeoBuffer, Scenarios.Uds, size, clients):0.0}x uds, {RateRatio(sessions, round, Scenarios.NeoBuffer, Scenarios.Grpc, size, clients):0.0}x grpc-uds ({RateRatio(sessions, round, Scenarios.NeoBufferAsync, Scenarios.Grpc, size, clients):0.0}x)"))));
            string floor = string.Join(", ", RequestPlan.MessageSizes.Select(size =>
                FormattableString.Invariant($"{size} B x1 {RateRatio(sessions, round, Scenarios.RawEcho, Scenarios.Grpc, size, 1):0.0}x grpc-uds")));
            yield return FormattableString.Invariant(
                $"  round {round}: p50 / ping-pong {P50Ratio(sessions, round, Scenarios.NeoBuffer):0.00} (async {P50Ratio(sessions, round, Scenarios.NeoBufferAsync):0.00}; rings {RingsRatio(sessions, round):0.00}; raw-echo {P50Ratio(sessions, round, Scenarios.RawEcho):0.00}); x4 p50 / futex {FutexRatio(sessions, round, Scenarios.NeoBuffer):0.00} (async {FutexRatio(sessions, round, Scenarios.NeoBufferAsync):0.00}); {rates}; raw-echo {floor}");
        }

        yield return string.Empty;
    }

    private static IEnumerable<string> Verdicts(List<Measurement> all)
    {
        // Judged on the rounds of one placement, as every suite's verdicts are: per-round ratios of two placements differ by more than the effects measured.
        List<Measurement> sessions = Targets.OnePlacement(all, out string placement).ToList();
        yield return placement;
        int[] rounds = sessions.Select(s => s.Round).Distinct().ToArray();

        // The floor first: where it is past a target, no transport doing this echo over shared memory meets that target here.
        const string Floor = "(the echo's floor, not judged)";
        yield return RoundTripLine(Scenarios.RawEcho, _ => Floor);
        (double median, double lowest, double highest) rings = OverRounds(round => RingsRatio(sessions, round));
        yield return string.Create(CultureInfo.InvariantCulture,
            $"rings: {RingRecordBytes} B round trip p50 through two bare SPSC channels: {rings.median:0.00}x the raw ping-pong [{rings.lowest:0.00}, {rings.highest:0.00}] (the round trip under the request layer, not judged)");
        foreach (int size in RequestPlan.MessageSizes)
        {
            yield return RateLine(Scenarios.RawEcho, size, 1, _ => Floor);
        }

        foreach (string transport in new[] { Scenarios.NeoBuffer, Scenarios.NeoBufferAsync })
        {
            yield return RoundTripLine(transport, median => $"(target <= 2x): {(median <= 2 ? "met" : "NOT met")}");
            foreach (int size in RequestPlan.MessageSizes)
            {
                foreach (int clients in RequestPlan.ClientCounts)
                {
                    yield return RateLine(transport, size, clients, rate => $"(target >= 50x): {(rate >= 50 ? "met" : "NOT met")}");
                }
            }
        }

        // A figure's median over the rounds, the lowest and highest round in brackets, then how the median is judged.
        string RoundTripLine(string transport, Func<double, string> judged)
        {
            (double median, double lowest, double highest) = OverRounds(round => P50Ratio(sessions, round, transport));
            return string.Create(CultureInfo.InvariantCulture,
                $"{transport}: 64 B round trip p50, 1 client: {median:0.00}x the raw ping-pong [{lowest:0.00}, {highest:0.00}] {judged(median)}");
        }

        string RateLine(string transport, int size, int clients, Func<double, string> judged)
        {
            (double median, double lowest, double highest) = OverRounds(round => RateRatio(sessions, round, transport, Scenarios.Grpc, size, clients));
            return string.Create(CultureInfo.InvariantCulture,
                $"{transport}: requests/s, {size} B, {clients} client(s): {median:0.0}x gRPC over UDS [{lowest:0.0}, {highest:0.0}] {judged(median)}");
        }

        (double Median, double Lowest, double Highest) OverRounds(Func<int, double> perRound)
        {
            double[] sorted = rounds.Select(perRound).Order().ToArray();
            return (sorted[sorted.Length / 2], sorted[0], sorted[^1]);
        }
    }

    private static double P50Ratio(List<Measurement> sessions, int round, string transport) =>
        Row(sessions, round, Scenarios.Request, transport, MeasurementPlan.Small, 1).P50Ns!.Value / PingPongP50(sessions, round);

    private static double RingsRatio(List<Measurement> sessions, int round) =>
        Row(sessions, round, Scenarios.RoundTrip, Scenarios.NeoBuffer, RingRecordBytes, 1).P50Ns!.Value / PingPongP50(sessions, round);

    private static double PingPongP50(List<Measurement> sessions, int round) =>
        Row(sessions, round, Scenarios.RoundTrip, Scenarios.PingPong, MeasurementPlan.Small, 1).P50Ns!.Value;

    private static double FutexRatio(List<Measurement> sessions, int round, string transport) =>
        Row(sessions, round, Scenarios.Request, transport, MeasurementPlan.Small, RequestPlan.ClientCounts[^1]).P50Ns!.Value /
        Row(sessions, round, Scenarios.RoundTripParked, Scenarios.Futex, MeasurementPlan.Small, 1).P50Ns!.Value;

    private static double RateRatio(List<Measurement> sessions, int round, string transport, string baseline, int size, int clients) =>
        Rate(sessions, round, transport, size, clients) / Rate(sessions, round, baseline, size, clients);

    private static double Rate(List<Measurement> sessions, int round, string transport, int size, int clients) =>
        Aggregate(Row(sessions, round, Scenarios.Request, transport, size, clients)).MsgsPerSec!.Value;

    private static ResultRow Row(List<Measurement> sessions, int round, string scenario, string transport, int size, int clients) =>
        ResultRow.From(sessions.Where(s => s.Round == round && s.Row == (scenario, transport, size, clients, 1)).ToList());
}
