using System;
using System.Collections.Generic;
using System.Linq;
using NeoBuffer.Bench.Harness;
using NeoBuffer.Bench.Measurements;

namespace NeoBuffer.Bench.Report;

/// <summary>
/// The targets of DESIGN.md section 6, each judged on paired ratios: in every round, NeoBuffer's figure over the
/// baseline's figure from the same round. On this VM the host moves the vCPUs, and cross-core latency changes by 3x
/// between placements; a ratio of two medians taken over different placements would mislead, a paired one does not.
/// </summary>
internal static class Targets
{
    public static IEnumerable<string> Verdicts(IReadOnlyList<Measurement> sessions)
    {
        double[] Ratios(string scenario, string transport, string baseline, int bytes, Func<ResultRow, double> figure) =>
            sessions.Where(s => s.Row == (scenario, transport, bytes))
                .Join(
                    sessions.Where(s => s.Row == (scenario, baseline, bytes)),
                    s => s.Round,
                    s => s.Round,
                    (channel, reference) => figure(ResultRow.From([channel])) / figure(ResultRow.From([reference])))
                .ToArray();

        double[] versusUds = Ratios(Scenarios.Throughput, Scenarios.NeoBuffer, Scenarios.Uds, MeasurementPlan.Small, r => r.MsgsPerSec!.Value);
        if (versusUds.Length > 0)
        {
            yield return Verdict("64 B throughput >= 100 x UDS", Median.Of(versusUds) >= 100, versusUds, "x");
        }

        double[] rates = sessions.Where(s => s.Row == (Scenarios.Throughput, Scenarios.NeoBuffer, MeasurementPlan.Small))
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

    private static string Verdict(string target, bool met, double[] values, string unit) =>
        $"  {(met ? "met    " : "NOT met")}  {target,-45} measured {Median.Of(values):0.##} {unit} [{values.Min():0.##} .. {values.Max():0.##}]";
}
