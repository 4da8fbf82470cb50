using System.Linq;
using NeoBuffer.Bench.Measurements;

namespace NeoBuffer.Bench.Report;

/// <summary>
/// One measured row, as the table prints it and <c>--json</c> writes it. Figures that do not apply to a row (GB/s of a
/// round trip, percentiles of a throughput run) are null. Each figure is the median over the repeated blocks.
/// </summary>
internal sealed record ResultRow(
    string Scenario,
    string Transport,
    long MessageBytes,
    long Messages,
    int Subscribers,
    double? MsgsPerSec,
    double? GbPerSec,
    double? P50Ns,
    double? P99Ns)
{
    /// <summary>A throughput row: <paramref name="blockMessages"/> messages took each of <paramref name="blockSeconds"/>.</summary>
    public static ResultRow Throughput(string transport, int messageBytes, long blockMessages, double[] blockSeconds)
    {
        double msgsPerSec = Median.Of(blockSeconds.Select(seconds => blockMessages / seconds).ToArray());
        return new ResultRow(Scenarios.Throughput, transport, messageBytes, blockMessages, 1, msgsPerSec, msgsPerSec * messageBytes / 1e9, null, null);
    }

    /// <summary>A round-trip row from blocks of samples; p50 and p99 are the medians of the blocks' percentiles.</summary>
    public static ResultRow RoundTrip(string transport, int messageBytes, long blockMessages, LatencySamples[] blocks) =>
        new(
            Scenarios.RoundTrip,
            transport,
            messageBytes,
            blockMessages,
            1,
            Median.Of(blocks.Select(block => block.RoundTripsPerSecond()).ToArray()),
            null,
            Median.Of(blocks.Select(block => block.PercentileNs(0.50)).ToArray()),
            Median.Of(blocks.Select(block => block.PercentileNs(0.99)).ToArray()));
}
