namespace NeoBuffer.Metrics;

/// <summary>What an endpoint is to its channel, as the <c>neobuffer.role</c> tag and <see cref="SharedChannel.List"/> name it.</summary>
internal enum EndpointRole
{
    /// <summary>A <see cref="SharedChannelWriter"/> of any topology.</summary>
    Writer,

    /// <summary>The one <see cref="SharedChannelReader"/> of an SPSC or MPSC channel.</summary>
    Reader,

    /// <summary>A <see cref="SharedChannelReader"/> of a broadcast channel, tethered or lossy.</summary>
    Subscriber,
}

/// <summary>How a participant's role follows from its row, and the word tools and metrics use for it.</summary>
internal static class EndpointRoles
{
    /// <summary>A producer row is a writer; a consumer row a subscriber in broadcast channels, else the reader.</summary>
    public static EndpointRole Of(bool isProducer, ChannelTopology topology) =>
        isProducer ? EndpointRole.Writer : topology == ChannelTopology.Broadcast ? EndpointRole.Subscriber : EndpointRole.Reader;

    /// <summary>The role's word: "writer", "reader" or "subscriber".</summary>
    public static string Name(this EndpointRole role) => role switch
    {
        EndpointRole.Writer => "writer",
        EndpointRole.Subscriber => "subscriber",
        _ => "reader",
    };
}
