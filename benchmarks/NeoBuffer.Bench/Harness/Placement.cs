using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NeoBuffer.Bench.Transports;

namespace NeoBuffer.Bench.Harness;

/// <summary>
/// Where the host has put the two vCPUs. Some hosts move them between placements whose raw cross-CPU round trips differ
/// several times over (an AMD EPYC host: about 0.15 us, probably two SMT siblings of one core, and about 0.55 us), and
/// every figure moves with them (a .NET peer's 64 KiB rate from 15 to 26 GB/s); others keep one (an Intel Xeon host:
/// about 0.33 us, probing anywhere from 0.28 to 0.38 us under load). A raw ping-pong probe runs before and after each
/// round, and the run judges its own probes once all rounds are done (<see cref="Classify"/>): no fixed line in
/// microseconds, which sat right at the Xeon's usual value and let noise alone set rounds aside. Ratios are taken only
/// within one placement, and every row says which.
/// </summary>
internal static class Placement
{
    /// <summary>The lowest of two or more placements the run's probes tell apart.</summary>
    public const string Near = "near";

    /// <summary>The highest of two or more placements.</summary>
    public const string Far = "far";

    /// <summary>Between near and far, when the probes fall into three or more groups (not seen on any host so far).</summary>
    public const string Middle = "middle";

    /// <summary>Every probe of the run fell in one group: the host kept one placement throughout.</summary>
    public const string Single = "single";

    /// <summary>The probes before and after the round fell in different groups.</summary>
    public const string Moved = "moved";

    /// <summary>
    /// How far apart two probes must be (the larger over the smaller) to come from different placements. The two known
    /// placements differ 3.7x (0.15 and 0.55 us); one placement's probes spread 1.36x under heavy load (0.28-0.38 us).
    /// A factor of 2 sits between them with room on both sides.
    /// </summary>
    public const double DistinctFactor = 2.0;

    /// <summary>Round trips of one probe: about 10-30 ms of spinning, plus the child's start.</summary>
    private const int ProbeRoundTrips = 20_000;

    /// <summary>Probes the placement now: the probe's p50 in nanoseconds.</summary>
    public static double Probe(BenchRun run) => RawPingPong.ProbeP50Ns(run, ProbeRoundTrips);

    /// <summary>
    /// Names each probe of one run by its group: the probes sorted, a new group starts wherever one is more than
    /// <see cref="DistinctFactor"/> times the one below it. One group is <see cref="Single"/>; with more, the lowest is
    /// <see cref="Near"/>, the highest <see cref="Far"/>, any between <see cref="Middle"/>.
    /// </summary>
    public static string[] Classify(IReadOnlyList<double> probesNs)
    {
        double[] sorted = probesNs.Order().ToArray();
        var groupOf = new Dictionary<double, int>();
        int group = 0;
        for (int i = 0; i < sorted.Length; i++)
        {
            if (i > 0 && sorted[i] > sorted[i - 1] * DistinctFactor)
            {
                group++;
            }

            groupOf[sorted[i]] = group;
        }

        int groups = group + 1;
        return probesNs.Select(probe => groupOf[probe] switch
        {
            _ when groups == 1 => Single,
            0 => Near,
            int g when g == groups - 1 => Far,
            _ => Middle,
        }).ToArray();
    }

    /// <summary>The placement of a round from the names of the probes before and after it.</summary>
    public static string OfRound(string before, string after) => before == after ? before : Moved;

    public static string Describe(double p50Ns) => $"ping-pong p50 {(p50Ns / 1000).ToString("0.00", CultureInfo.InvariantCulture)} us";
}
