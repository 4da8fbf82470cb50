using System;
using System.Collections.Generic;
using System.Linq;
using NeoBuffer.Bench.Harness;

namespace NeoBuffer.Bench.Report;

/// <summary>
/// The targets of DESIGN.md section 6, each judged against the baseline measured in the same run, so a verdict holds
/// on a noisy machine.
/// </summary>
internal static class Targets
{
    public static IEnumerable<string> Verdicts(IReadOnlyList<ResultRow> rows)
    {
        ResultRow? Find(string scenario, string transport, int bytes) =>
            rows.FirstOrDefault(r => r.Scenario == scenario && r.Transport == transport && r.MessageBytes == bytes);

        ResultRow? small = Find(Scenarios.Throughput, Scenarios.NeoBuffer, MeasurementPlan.Small);
        ResultRow? smallUds = Find(Scenarios.Throughput, Scenarios.Uds, MeasurementPlan.Small);
        if (small is not null && smallUds is not null)
        {
            double ratio = small.MsgsPerSec!.Value / smallUds.MsgsPerSec!.Value;
            yield return Verdict("64 B throughput >= 100 x UDS", ratio >= 100, $"{ratio:0.#} x");
            yield return Verdict("64 B throughput >= 30 M msgs/s", small.MsgsPerSec >= 30e6, $"{small.MsgsPerSec / 1e6:0.##} M msgs/s");
        }

        ResultRow? roundTrip = Find(Scenarios.RoundTrip, Scenarios.NeoBuffer, MeasurementPlan.Small);
        ResultRow? pingPong = Find(Scenarios.RoundTrip, Scenarios.PingPong, MeasurementPlan.Small);
        if (roundTrip is not null && pingPong is not null)
        {
            double ratio = roundTrip.P50Ns!.Value / pingPong.P50Ns!.Value;
            yield return Verdict("64 B round trip p50 <= 1.3 x raw ping-pong", ratio <= 1.3, $"{ratio:0.##} x");
        }

        foreach ((int bytes, double target) in new[] { (MeasurementPlan.Medium, 0.7), (MeasurementPlan.Large, 0.8) })
        {
            ResultRow? channel = Find(Scenarios.Throughput, Scenarios.NeoBuffer, bytes);
            ResultRow? memcpy = Find(Scenarios.Throughput, Scenarios.Memcpy, bytes);
            if (channel is not null && memcpy is not null)
            {
                double ratio = channel.GbPerSec!.Value / memcpy.GbPerSec!.Value;
                yield return Verdict($"{ResultTable.Size(bytes)} throughput >= {target} x memcpy", ratio >= target, $"{ratio:0.##} x");
            }
        }
    }

    private static string Verdict(string target, bool met, string measured) =>
        $"  {(met ? "met    " : "NOT met")}  {target,-45} measured {measured}";
}
