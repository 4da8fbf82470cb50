using System;

namespace NeoBuffer.Bench.Measurements;

/// <summary>
/// What one session of one transport measured: for throughput, how long each block of <see cref="BlockMessages"/>
/// messages took; for a round trip, the blocks of samples. A row is built from the sessions of all rounds.
/// </summary>
internal sealed record Measurement(string Scenario, string Transport, int MessageBytes, long BlockMessages, double[] BlockSeconds, LatencySamples[] LatencyBlocks)
{
    public static Measurement Throughput(string transport, int messageBytes, long blockMessages, double[] blockSeconds) =>
        new(Report.Scenarios.Throughput, transport, messageBytes, blockMessages, blockSeconds, []);

    public static Measurement RoundTrip(string transport, int messageBytes, long blockMessages, LatencySamples[] blocks) =>
        new(Report.Scenarios.RoundTrip, transport, messageBytes, blockMessages, [], blocks);

    /// <summary>The round (from 1) the session ran in; sessions of one round ran moments apart.</summary>
    public int Round { get; init; }

    /// <summary>Where the host had the vCPUs during the session's round (<see cref="Harness.Placement"/>).</summary>
    public string Placement { get; init; } = "-";

    /// <summary>Producer processes writing into the channel (MPSC: several).</summary>
    public int Producers { get; init; } = 1;

    /// <summary>Processes reading every message (broadcast: several subscribers).</summary>
    public int Subscribers { get; init; } = 1;

    /// <summary>Which row the measurement belongs to.</summary>
    public (string Scenario, string Transport, int MessageBytes, int Producers, int Subscribers) Row => (Scenario, Transport, MessageBytes, Producers, Subscribers);

    /// <summary>Whether this is a one-producer, one-reader session of <paramref name="scenario"/>, <paramref name="transport"/> and size.</summary>
    public bool IsPair(string scenario, string transport, int messageBytes) => Row == (scenario, transport, messageBytes, 1, 1);
}
