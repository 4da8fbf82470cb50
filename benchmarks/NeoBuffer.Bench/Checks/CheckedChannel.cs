using System;

namespace NeoBuffer.Bench.Checks;

/// <summary>
/// The channel the stress and chaos runs create: a 64 KiB ring, small enough that it fills and wraps thousands of
/// times in a run, large enough for many of the largest (2 KiB) tagged records.
/// </summary>
internal static class CheckedChannel
{
    public const long Capacity = 64 * 1024;

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
