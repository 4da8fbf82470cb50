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
    public static IEnumerable<string> Verdicts(IReadOnlyList<Measurement> sessions)
    {
        double[] Ratios(string scenario, string transport, string baseline, int bytes, Func<ResultRow, double> figure) =>
            PairedRatios(sessions, s => s.IsPair(scenario, transport, bytes), s => s.IsPair(scenario, baseline, bytes), figure);

        double[] versusUds = Ratios(Scenarios.Throughput, Scenarios.NeoBuffer, Scenarios.Uds, MeasurementPlan.Small, r => r.MsgsPerSec!.Value);
        if (versusUds.Length > 0)
        {
            yield return Verdict("64 B throughput >= 100 x UDS", Median.Of(versusUds) >= 100, versusUds, "x");
        }

        double[] rates = sessions.Where(s => s.IsPair(Scenarios.Throughput, Scenarios.NeoBuffer, MeasurementPlan.Small))
            .Select(s => ResultRow.From([s]).MsgsPerSec!.Value / 1e6).ToArray();
        if (rates.Length > 0)
        {
            yield return Verdict("64 B throughput >= 30 M msgs/s", Median.Of(rates) >= 30, rates, "M msgs/s");
        }

        double[] versusPingPong = Ratios(Scenarios.RoundTrip, Scenarios.NeoBuffer, Scenarios.PingPong, MeasurementPlan.Small, r => r.P50Ns!.Value);
        if (versusPingPong.Length > 0)
        {
            yield return Verdict("64 B round trip p50 <= 1.3 x raw ping-pong", Median.Of(versusPingPong) <= 1.3, versusPingPong, "x");
        }

        foreach ((int bytes, double target) in new[] { (MeasurementPlan.Medium, 0.7), (MeasurementPlan.Large, 0.8) })
        {
            double[] versusMemcpy = Ratios(Scenarios.Throughput, Scenarios.NeoBuffer, Scenarios.Memcpy, bytes, r => r.GbPerSec!.Value);
            if (versusMemcpy.Length > 0)
            {
                yield return Verdict($"{ResultTable.Size(bytes)} throughput >= {target} x memcpy", Median.Of(versusMemcpy) >= target, versusMemcpy, "x");
            }
        }
    }

    /// <summary>
    /// The broadcast target: the producer's 8 MiB frame rate with 2, 4 and 8 subscribers against its rate with 1 in the
    /// same round ("same producer rate as 1 subscriber", judged as at least 0.9 of it).
    /// </summary>
    public static IEnumerable<string> BroadcastVerdicts(IReadOnlyList<Measurement> sessions)
    {
        foreach (int subscribers in sessions.Where(s => s.Scenario == Scenarios.Broadcast && s.Subscribers > 1).Select(s => s.Subscribers).Distinct())
        {
            double[] ratios = PairedRatios(
                sessions,
                s => s.Scenario == Scenarios.Broadcast && s.Subscribers == subscribers,
                s => s.Scenario == Scenarios.Broadcast && s.Subscribers == 1,
                row => row.MsgsPerSec!.Value);
            yield return Verdict($"8 MiB to {subscribers} subscribers >= 0.9 x rate to 1", Median.Of(ratios) >= 0.9, ratios, "x");
        }
    }

    /// <summary>
    /// The parked rows: the round trip with parked readers against UDS in the same round ("&lt;= UDS", on p50), with p99
    /// and the raw futex ping-pong shown beside it; and idle CPU, judged on the busiest parked reader process ("&lt; 1 %").
    /// </summary>
    public static IEnumerable<string> ParkedVerdicts(IReadOnlyList<Measurement> sessions, IReadOnlyList<ResultRow> idleRows)
    {
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
