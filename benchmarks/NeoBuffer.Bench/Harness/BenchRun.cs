using System;

namespace NeoBuffer.Bench.Harness;

/// <summary>What every measurement of one run shares: the plan, the scratch directory, and fresh names for channels.</summary>
internal sealed class BenchRun(MeasurementPlan plan, ScratchDirectory scratch)
{
    private int _names;

    /// <summary>How long a child may take to do its part before it is presumed hung and killed.</summary>
    public static readonly TimeSpan ChildTimeout = TimeSpan.FromMinutes(3);

    public MeasurementPlan Plan { get; } = plan;

    public string Directory => scratch.Path;

    /// <summary>A name no other channel, file or socket of this run uses.</summary>
    public string NextName(string what) => $"{what}-{Environment.ProcessId}-{++_names}";

    /// <summary>Messages a throughput producer sends: the warm-up blocks, then the timed ones.</summary>
    public long ThroughputTotal(long block) => block * (Plan.WarmupBlocks + Plan.Blocks);

    /// <summary>Round trips a latency run makes: the warm-up blocks, then the timed ones.</summary>
    public int RoundTripTotal(int block) => block * (Plan.WarmupBlocks + Plan.Blocks);
}
