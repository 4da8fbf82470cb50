using System;
using System.Collections.Generic;
using System.Linq;
using NeoBuffer.Bench.Harness;
using NeoBuffer.Bench.Measurements;

namespace NeoBuffer.Bench.Report;

/// <summary>
/// The targets of docs/design.md ("Performance targets"), each judged on paired ratios: in every round, NeoBuffer's figure over the
/// baseline's figure from the same round. On this VM the host moves the vCPUs, and cross-core latency changes by 3x
/// between placements; a ratio of two medians taken over different placements would mislead, a paired one does not.
/// </summary>
internal static class Targets
{
    public static IEnumerable<string> Verdicts(IReadOnlyList<Measurement> all)
    {
        IReadOnlyList<Measurement> sessions = OnePlacement(all, out string placement);
        yield return placement;
        double[] Ratios(string scenario, string transport, string baseline, int bytes, Func<ResultRow, double> figure) =>
            PairedRatios(sessions, s => s.IsPair(scenario, transport, bytes), s => s.IsPair(scenario, baseline, bytes), figure);
        double[] SmallRates(string transport) => sessions.Where(s => s.IsPair(Scenarios.Throughput, transport, MeasurementPlan.Small))
            .Select(s => ResultRow.From([s]).MsgsPerSec!.Value / 1e6).ToArray();

        double[] versusUds = Ratios(Scenarios.Throughput, Scenarios.NeoBuffer, Scenarios.Uds, MeasurementPlan.Small, r => r.MsgsPerSec!.Value);
        if (versusUds.Length > 0)
        {
            yield return Information("64 B throughput vs UDS (one send(2) per message)", versusUds, "x");
        }

        double[] rates = SmallRates(Scenarios.NeoBuffer);
        if (rates.Length > 0)
        {
            yield return Verdict("64 B throughput, one message per call >= 20 M", Median.Of(rates) >= 20, rates, "M msgs/s");
        }

        double[] largeRingRates = SmallRates(Scenarios.NeoBufferLargeRing);
        if (largeRingRates.Length > 0)
        {
            yield return Information("64 B throughput, one message per call, 64 MiB ring", largeRingRates, "M msgs/s");
        }

        double[] batchRates = SmallRates(Scenarios.NeoBufferBatch);
        if (batchRates.Length > 0)
        {
            yield return Verdict("64 B throughput, batch APIs >= 30 M", Median.Of(batchRates) >= 30, batchRates, "M msgs/s");
        }

        double[] batchVersusOne = Ratios(Scenarios.Throughput, Scenarios.NeoBufferBatch, Scenarios.NeoBuffer, MeasurementPlan.Small, r => r.MsgsPerSec!.Value);
        if (batchVersusOne.Length > 0)
        {
            yield return Information("64 B throughput, batch APIs vs one message per call", batchVersusOne, "x");
        }

        double[] versusPingPong = Ratios(Scenarios.RoundTrip, Scenarios.NeoBuffer, Scenarios.PingPong, MeasurementPlan.Small, r => r.P50Ns!.Value);
        if (versusPingPong.Length > 0)
        {
            yield return Verdict("64 B round trip p50 <= 1.3 x raw ping-pong", Median.Of(versusPingPong) <= 1.3, versusPingPong, "x");
        }

        foreach (int bytes in new[] { MeasurementPlan.Medium, MeasurementPlan.Large })
        {
            double[] versusHandoff = Ratios(Scenarios.Throughput, Scenarios.NeoBuffer, Scenarios.Handoff, bytes, r => r.GbPerSec!.Value);
            if (versusHandoff.Length > 0)
            {
                yield return Verdict($"{ResultTable.Size(bytes)} throughput >= 0.9 x handoff", Median.Of(versusHandoff) >= 0.9, versusHandoff, "x");
            }

            double[] versusMemcpy = Ratios(Scenarios.Throughput, Scenarios.NeoBuffer, Scenarios.Memcpy, bytes, r => r.GbPerSec!.Value);
            if (versusMemcpy.Length > 0)
            {
                yield return Information($"{ResultTable.Size(bytes)} throughput vs memcpy in one process", versusMemcpy, "x");
            }
        }
    }

    /// <summary>
    /// The broadcast target: the aggregate bandwidth of N tethered subscribers of 8 MiB frames against N raw reader
    /// processes of a plain shared buffer in the same round (at least 0.8 of it for 2 and 4 subscribers).
    /// </summary>
    public static IEnumerable<string> BroadcastVerdicts(IReadOnlyList<Measurement> all)
    {
        IReadOnlyList<Measurement> sessions = OnePlacement(all, out string placement);
        yield return placement;
        foreach (int subscribers in sessions.Where(s => s.Scenario == Scenarios.Broadcast).Select(s => s.Subscribers).Distinct())
        {
            double[] ratios = PairedRatios(
                sessions,
                s => s.Scenario == Scenarios.Broadcast && s.Transport == Scenarios.NeoBuffer && s.Subscribers == subscribers,
                s => s.Scenario == Scenarios.Broadcast && s.Transport == Scenarios.RawReaders && s.Subscribers == subscribers,
                row => row.MsgsPerSec!.Value);
            if (ratios.Length == 0)
            {
                continue;
            }

            // Aggregate over aggregate: both read N x the frames, so the ratio of the producers' rates is the ratio of the aggregates.
            yield return subscribers is 2 or 4
                ? Verdict($"8 MiB aggregate, {subscribers} subscribers >= 0.8 x raw readers", Median.Of(ratios) >= 0.8, ratios, "x")
                : Information($"8 MiB aggregate, {subscribers} subscriber(s) vs raw readers", ratios, "x");
        }
    }

    /// <summary>
    /// The parked rows: the round trip with parked readers against UDS in the same round ("&lt;= UDS", on p50), with p99
    /// and the raw futex ping-pong shown beside it; and idle CPU, judged on the busiest parked reader process ("&lt; 1 %").
    /// </summary>
    public static IEnumerable<string> ParkedVerdicts(IReadOnlyList<Measurement> all, IReadOnlyList<ResultRow> idleRows)
    {
        IReadOnlyList<Measurement> sessions = OnePlacement(all, out string placement);
        yield return placement;
        double[] Ratios(string transport, string baseline, Func<ResultRow, double> figure) => ParkedRatios(sessions, transport, baseline, figure);

        double[] p50 = Ratios(Scenarios.NeoBuffer, Scenarios.Uds, r => r.P50Ns!.Value);
        if (p50.Length > 0)
        {
            yield return Verdict("64 B round trip p50, parked readers <= UDS", Median.Of(p50) <= 1, p50, "x UDS");
            double[] p99 = Ratios(Scenarios.NeoBuffer, Scenarios.Uds, r => r.P99Ns!.Value);
            yield return Information("64 B round trip p99, parked readers, vs UDS", p99, "x UDS");
        }

        double[] futex = Ratios(Scenarios.NeoBuffer, Scenarios.Futex, r => r.P50Ns!.Value);
        if (futex.Length > 0)
        {
            yield return Information("64 B round trip p50, parked, vs raw futex", futex, "x futex");
        }

        double[] percents = idleRows.Select(row => row.CpuPercent!.Value).ToArray();
        if (percents.Length > 0)
        {
            yield return $"  {(percents.Max() < 1 ? "met    " : "NOT met")}  {"idle CPU with parked readers < 1 %",-45} measured {percents.Max():0.###} % in the busiest of {percents.Length} reader processes [{percents.Min():0.###} .. {percents.Max():0.###}]";
        }
    }

    /// <summary>For each round, the ratio of <paramref name="transport"/>'s parked round trip to <paramref name="baseline"/>'s.</summary>
    public static double[] ParkedRatios(IReadOnlyList<Measurement> sessions, string transport, string baseline, Func<ResultRow, double> figure) =>
        PairedRatios(
            sessions,
            s => s.IsPair(Scenarios.RoundTripParked, transport, MeasurementPlan.Small),
            s => s.IsPair(Scenarios.RoundTripParked, baseline, MeasurementPlan.Small),
            figure);

    /// <summary>
    /// The sessions of the placement most rounds ran in (rounds during which the placement moved count for neither),
    /// so no ratio or median of ratios mixes placements; <paramref name="note"/> says which rounds those are.
    /// </summary>
    public static IReadOnlyList<Measurement> OnePlacement(IReadOnlyList<Measurement> sessions, out string note)
    {
        var rounds = sessions.GroupBy(s => s.Placement).Select(g => (Placement: g.Key, Rounds: g.Select(s => s.Round).Distinct().Order().ToList())).ToList();
        var steady = rounds.Where(r => r.Placement != Harness.Placement.Moved).ToList();
        var chosen = (steady.Count > 0 ? steady : rounds).OrderByDescending(r => r.Rounds.Count).First();
        int total = sessions.Select(s => s.Round).Distinct().Count();
        note = $"  {"judged",-7}  on the {chosen.Placement} placement: rounds {string.Join(", ", chosen.Rounds)} ({chosen.Rounds.Count} of {total}; "
            + string.Join(", ", rounds.Select(r => $"{r.Placement}: {r.Rounds.Count}")) + ")";
        return sessions.Where(s => s.Placement == chosen.Placement).ToList();
    }

    /// <summary>For every round with both, the figure of the measured session over the figure of the baseline session.</summary>
    private static double[] PairedRatios(IReadOnlyList<Measurement> sessions, Func<Measurement, bool> measured, Func<Measurement, bool> baseline, Func<ResultRow, double> figure) =>
        sessions.Where(measured)
            .Join(
                sessions.Where(baseline),
                s => s.Round,
                s => s.Round,
                (channel, reference) => figure(ResultRow.From([channel])) / figure(ResultRow.From([reference])))
            .ToArray();

    private static string Verdict(string target, bool met, double[] values, string unit) =>
        $"  {(met ? "met    " : "NOT met")}  {target,-45} measured {Median.Of(values):0.##} {unit} [{values.Min():0.##} .. {values.Max():0.##}]";

    /// <summary>A figure shown beside the verdicts that no target judges.</summary>
    private static string Information(string what, double[] values, string unit) =>
        $"  {"info",-7}  {what,-45} measured {Median.Of(values):0.##} {unit} [{values.Min():0.##} .. {values.Max():0.##}]";
}
