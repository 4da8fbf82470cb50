using NeoBuffer;

namespace TwoHosts;

/// <summary>What the producer on host A sends to the subscriber on host B.</summary>
[ChannelMessage(Name = "TwoHosts.Telemetry")]
public partial struct Telemetry
{
    public long Sequence;
    public long SentUnixNs;
    public double Value;
    public VarUtf8 Host;
}
