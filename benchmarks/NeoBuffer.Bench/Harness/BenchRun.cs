using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using NeoBuffer.Bench.Measurements;

using NeoBuffer.Testing;

namespace NeoBuffer.Bench.Harness;

/// <summary>What every measurement of one run shares: the plan, the scratch directory, and fresh names for channels.</summary>
internal sealed class BenchRun(MeasurementPlan plan, ScratchDirectory scratch)
{
    private int _names;

    /// <summary>How long a child may take to do its part before it is presumed hung and killed.</summary>
    public static readonly TimeSpan ChildTimeout = TimeSpan.FromMinutes(3);

    public MeasurementPlan Plan { get; } = plan;

    public string Directory => scratch.Path;

    /// <summary>
    /// Runs the plan's rounds in a fresh scratch directory: each round measures what <paramref name="round"/> yields,
    /// in order, between two placement probes, and every session is tagged with its round and, once every round has
    /// run, with the round's placement as the run's own probes judge it (<see cref="Placement.Classify"/>).
    /// </summary>
    public static List<Measurement> Rounds(MeasurementPlan plan, Func<BenchRun, IEnumerable<Measurement>> round)
    {
        var rounds = new List<List<Measurement>>();
        using var scratch = new ScratchDirectory();
        var run = new BenchRun(plan, scratch);
        var elapsed = Stopwatch.StartNew();
        var probes = new List<double> { Placement.Probe(run) };
        for (int number = 1; number <= plan.Rounds; number++)
        {
            rounds.Add(new List<Measurement>(round(run)));
            probes.Add(Placement.Probe(run)); // the probe after one round is the probe before the next: they ran moments apart
            double perRound = elapsed.Elapsed.TotalSeconds / number;
            Console.Error.WriteLine($"round {number} of {plan.Rounds}: probes {Placement.Describe(probes[^2])} then {Placement.Describe(probes[^1])}; "
                + $"{elapsed.Elapsed.TotalSeconds:0} s so far, about {perRound * (plan.Rounds - number):0} s of rounds to go at this pace");
        }

        string[] names = Placement.Classify(probes);
        var sessions = new List<Measurement>();
        for (int number = 1; number <= rounds.Count; number++)
        {
            string placement = Placement.OfRound(names[number - 1], names[number]);
            Console.Error.WriteLine($"round {number}: placement {placement} ({Placement.Describe(probes[number - 1])} then {Placement.Describe(probes[number])}; probes over {Placement.DistinctFactor:0.#}x apart are different placements)");
            sessions.AddRange(rounds[number - 1].Select(session => session with { Round = number, Placement = placement }));
        }

        return sessions;
    }

    /// <summary>Runs one session that is not repeated per round (the idle readers) in a fresh scratch directory.</summary>
    public static T Once<T>(MeasurementPlan plan, Func<BenchRun, T> session)
    {
        using var scratch = new ScratchDirectory();
        return session(new BenchRun(plan, scratch));
    }

    /// <summary>A name no other channel, file or socket of this run uses.</summary>
    public string NextName(string what) => $"{what}-{Environment.ProcessId}-{++_names}";

    /// <summary>Messages a throughput producer sends: the warm-up blocks, then the timed ones.</summary>
    public long ThroughputTotal(long block, bool warmupFloor = true) => block * (Plan.WarmupBlocksFor(block, warmupFloor) + Plan.Blocks);

    /// <summary>The timer of a throughput session: untimed warm-up blocks (<see cref="MeasurementPlan.WarmupBlocksFor"/>), then the timed ones.</summary>
    public BlockTimer ThroughputTimer(long block, bool warmupFloor = true) => new(block * Plan.WarmupBlocksFor(block, warmupFloor), block, Plan.Blocks);

    /// <summary>Round trips a latency run makes: the warm-up blocks, then the timed ones.</summary>
    public int RoundTripTotal(int block) => block * (Plan.WarmupBlocks + Plan.Blocks);
}
