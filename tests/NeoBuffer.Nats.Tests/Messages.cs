using NeoBuffer;

namespace NeoBuffer.Nats.Tests;

/// <summary>A reading with text and an array in its tail: what crosses the bridge in most tests.</summary>
[ChannelMessage(Name = "NeoBuffer.Nats.Tests.Reading")]
public partial struct Reading
{
    public long Sequence;
    public int Sensor;
    public VarUtf8 Label;
    public VarArray<int> Samples;
}

/// <summary>Another schema, to be refused by a bridge into a <see cref="Reading"/> channel.</summary>
[ChannelMessage(Name = "NeoBuffer.Nats.Tests.Other")]
public partial struct Other
{
    public long Sequence;
    public double Value;
}
