using System;
using NeoBuffer.Bench.Harness;
using NeoBuffer.Bench.Report;

namespace NeoBuffer.Bench.Transports;

/// <summary>Sizes and block lengths of the <c>request</c> run.</summary>
internal static class RequestPlan
{
    /// <summary>Every ring of the run (a request or response of 64 KiB fits many times over).</summary>
    public const long RingCapacity = 1 << 20;

    public static int[] MessageSizes { get; } = [MeasurementPlan.Small, MeasurementPlan.Medium];

    public static int[] ClientCounts { get; } = [1, 4];

    /// <summary>Requests per timed block, per client.</summary>
    public static int Block(MeasurementPlan plan, string transport, int messageBytes)
    {
        int quick = (transport, messageBytes) switch
        {
            (Scenarios.NeoBuffer or Scenarios.NeoBufferAsync or Scenarios.RawEcho, MeasurementPlan.Small) => 20_000,
            (Scenarios.NeoBuffer or Scenarios.NeoBufferAsync or Scenarios.RawEcho, _) => 2_000,
            (Scenarios.Uds, MeasurementPlan.Small) => 2_000,
            (Scenarios.Uds, _) => 500,
            (Scenarios.Grpc, MeasurementPlan.Small) => 1_000,
            (Scenarios.Grpc, _) => 250,
            _ => throw new ArgumentOutOfRangeException(nameof(transport), transport, "No request plan for this transport."),
        };
        return plan.IsQuick ? quick : quick * 3;
    }
}
