namespace NeoBuffer.Metrics;

/// <summary>How a participant's role follows from its row, and the word tools and metrics use for it.</summary>
internal static class EndpointRoles
{
    /// <summary>A producer row is a writer; a consumer row a subscriber in broadcast channels, else the reader.</summary>
    public static ChannelRole Of(bool isProducer, ChannelTopology topology) =>
        isProducer ? ChannelRole.Writer : topology == ChannelTopology.Broadcast ? ChannelRole.Subscriber : ChannelRole.Reader;

    /// <summary>The role's word: "writer", "reader" or "subscriber".</summary>
    public static string Name(this ChannelRole role) => role switch
    {
        ChannelRole.Writer => "writer",
        ChannelRole.Subscriber => "subscriber",
        _ => "reader",
    };
}
