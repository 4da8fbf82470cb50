using System.Collections.Generic;
using System.Linq;
using NeoBuffer.Bench.Measurements;

namespace NeoBuffer.Bench.Report;

/// <summary>
/// One measured row, as the table prints it and <c>--json</c> writes it. Figures that do not apply to a row (GB/s of a
/// round trip, percentiles of a throughput run) are null. Each figure is a median over the repeated blocks. Producers and
/// Subscribers say how many processes wrote and read (1 and 1 but for the MPSC and broadcast rows). Reader, CpuPercent
/// and WakeupsPerSec are set on <c>idle-cpu</c> rows only: one parked reader process each.
/// </summary>
internal sealed record ResultRow(
    string Scenario,
    string Transport,
    long MessageBytes,
    long Messages,
    int Producers,
    int Subscribers,
    double? MsgsPerSec,
    double? GbPerSec,
    double? P50Ns,
    double? P99Ns)
{
    /// <summary>The idle reader's topology and waiting call (<c>idle-cpu</c> rows), as <c>"broadcast WaitToRead"</c>.</summary>
    public string? Reader { get; init; }

    /// <summary>The idle reader process's CPU time over the idle window's wall time, in percent of one CPU (<c>idle-cpu</c> rows).</summary>
    public double? CpuPercent { get; init; }

    /// <summary>The idle reader process's voluntary context switches (wake-ups) per second, all its threads (<c>idle-cpu</c> rows).</summary>
    public double? WakeupsPerSec { get; init; }

    /// <summary>The placement of the rounds the row was measured in (<see cref="Harness.Placement"/>).</summary>
    public string Placement { get; init; } = "-";

    /// <summary>
    /// The spread across rounds: the lowest and highest round's figure (throughput: messages per second, the median of
    /// the round's blocks; round trip: p50 over the round's samples).
    /// </summary>
    public (double Low, double High)? RoundSpread { get; init; }

    /// <summary>The row's requests/s over gRPC over UDS's for the same size and clients (<c>request-roundtrip</c> rows of <c>neobuffer</c>, <c>neobuffer-async</c> and <c>raw-echo</c>).</summary>
    public double? RequestsOverGrpc { get; init; }

    /// <summary>
    /// The row of the measurements of one transport and size, taken over several rounds: throughput (sessions of timed
    /// blocks, not round trips) is the median over all blocks of messages per second; p50 and p99 are taken over every
    /// sample of every block (nearest rank), not as medians of per-block percentiles, which hide a tail that falls in
    /// one block.
    /// </summary>
    public static ResultRow From(IReadOnlyList<Measurement> sessions)
    {
        Measurement first = sessions[0];
        if (first.LatencyBlocks.Length == 0)
        {
            double msgsPerSec = Median.Of(sessions.SelectMany(s => s.BlockSeconds.Select(seconds => s.BlockMessages / seconds)).ToArray());
            double[] perRound = sessions.Select(s => Median.Of(s.BlockSeconds.Select(seconds => s.BlockMessages / seconds).ToArray())).ToArray();
            return new ResultRow(first.Scenario, first.Transport, first.MessageBytes, first.BlockMessages, first.Producers, first.Subscribers, msgsPerSec, msgsPerSec * first.MessageBytes / 1e9, null, null)
            {
                Placement = first.Placement,
                RoundSpread = (perRound.Min(), perRound.Max()),
            };
        }

        LatencySamples[] blocks = sessions.SelectMany(s => s.LatencyBlocks).ToArray();
        LatencySamples all = LatencySamples.Concat(blocks);
        double[] roundP50 = sessions.Select(s => LatencySamples.Concat(s.LatencyBlocks).PercentileNs(0.50)).ToArray();
        return new ResultRow(
            first.Scenario,
            first.Transport,
            first.MessageBytes,
            first.BlockMessages,
            first.Producers,
            first.Subscribers,
            Median.Of(blocks.Select(block => block.RoundTripsPerSecond()).ToArray()),
            null,
            all.PercentileNs(0.50),
            all.PercentileNs(0.99))
        {
            Placement = first.Placement,
            RoundSpread = (roundP50.Min(), roundP50.Max()),
        };
    }
}
