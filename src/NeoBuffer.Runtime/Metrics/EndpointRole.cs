namespace NeoBuffer.Metrics;

/// <summary>What an endpoint is to its channel, as the <c>neobuffer.role</c> tag reports it.</summary>
internal enum EndpointRole
{
    /// <summary>A <see cref="SharedChannelWriter"/> of any topology.</summary>
    Writer,

    /// <summary>The one <see cref="SharedChannelReader"/> of an SPSC or MPSC channel.</summary>
    Reader,

    /// <summary>A <see cref="SharedChannelReader"/> of a broadcast channel, tethered or lossy.</summary>
    Subscriber,
}
