using System.Globalization;
using NeoBuffer.Bench.Transports;

namespace NeoBuffer.Bench.Harness;

/// <summary>
/// Where the host has put the two vCPUs. This VM's host moves them between a "far" placement (a raw cross-CPU round
/// trip of about 0.55 us) and a "near" one (about 0.15 us, probably two SMT siblings of one core), and every figure
/// moves with it (a .NET peer's 64 KiB rate from 15 to 26 GB/s). A raw ping-pong probe before and after each round
/// names the round's placement; a round during which it changed is "moved". Ratios are taken only within one
/// placement, and every row says which.
/// </summary>
internal static class Placement
{
    public const string Near = "near";
    public const string Far = "far";
    public const string Moved = "moved";

    /// <summary>Round trips of one probe: about 10-30 ms of spinning, plus the child's start.</summary>
    private const int ProbeRoundTrips = 20_000;

    /// <summary>Between the two placements' round trips (0.15 and 0.55 us).</summary>
    private const double NearBelowNs = 300;

    /// <summary>Probes the placement now: its name and the probe's p50 in nanoseconds.</summary>
    public static (string Name, double P50Ns) Probe(BenchRun run)
    {
        double p50 = RawPingPong.ProbeP50Ns(run, ProbeRoundTrips);
        return (p50 < NearBelowNs ? Near : Far, p50);
    }

    /// <summary>The placement of a round from the probes before and after it.</summary>
    public static string OfRound(string before, string after) => before == after ? before : Moved;

    public static string Describe((string Name, double P50Ns) probe) =>
        $"{probe.Name} (ping-pong p50 {(probe.P50Ns / 1000).ToString("0.00", CultureInfo.InvariantCulture)} us)";
}
