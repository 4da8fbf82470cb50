using System.Collections.Generic;

namespace NeoBuffer.Metrics;

/// <summary>
/// The tags every NeoBuffer measurement carries. They name one endpoint: <c>neobuffer.participant</c> (its row in the
/// channel's participant table) sets apart endpoints of one channel that share a role in this process, such as two
/// subscribers, which would otherwise report the same tag set twice in one observation and have all but one dropped.
/// Rows are bounded by the channel's MaxProducers or MaxSubscribers, so the tag adds no unbounded cardinality.
/// </summary>
internal static class EndpointTags
{
    public const string Channel = "neobuffer.channel";
    public const string Topology = "neobuffer.topology";
    public const string Role = "neobuffer.role";
    public const string Participant = "neobuffer.participant";

    /// <summary>The tags of one endpoint, built once when it opens (the row is boxed here, not per observation).</summary>
    public static KeyValuePair<string, object?>[] For(string channel, ChannelTopology topology, ChannelRole role, int participantRow) =>
    [
        new(Channel, channel),
        new(Topology, TopologyValue(topology)),
        new(Role, role.Name()),
        new(Participant, participantRow),
    ];

    private static string TopologyValue(ChannelTopology topology) => topology switch
    {
        ChannelTopology.MultiProducerSingleConsumer => "mpsc",
        ChannelTopology.Broadcast => "broadcast",
        _ => "spsc",
    };
}
