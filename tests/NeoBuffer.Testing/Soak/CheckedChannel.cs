using System;

namespace NeoBuffer.Testing;

/// <summary>
/// The channel the stress and chaos runs create: a 64 KiB ring, small enough that it fills and wraps thousands of
/// times in a run, large enough for many of the largest (2 KiB) tagged records.
/// </summary>
public static class CheckedChannel
{
    public const long Capacity = 64 * 1024;

    /// <summary>Rows for producers or subscribers in a chaos run: every replacement takes a new one.</summary>
    public const int MaxParticipants = 256;

    /// <summary>How long the survivors of a chaos run may take to finish their records and report at the end.</summary>
    public static readonly TimeSpan FinishBound = TimeSpan.FromSeconds(60);

    public static SharedChannelOptions Options(string directory, ChannelTopology topology, int participants) => new()
    {
        Directory = directory,
        Topology = topology,
        Capacity = Capacity,
        MaxMessageSize = TaggedRecord.MaxLength,
        MaxProducers = Math.Max(16, participants),
        MaxSubscribers = Math.Max(64, participants),
    };
}
