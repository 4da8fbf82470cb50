using System;

namespace NeoBuffer.TestHost.Messages;

/// <summary>Where an order goes; added in version 2 of the order message.</summary>
public enum Venue : short
{
    Xnys = 1,
    Xlon = 2,
}

/// <summary>
/// Version 1 of the evolving test message. <see cref="OrderV2"/> is version 2 of the same message (the same
/// <c>Name</c>): two programs built from the two declarations share one channel.
/// </summary>
[ChannelMessage(Name = "NeoBuffer.Tests.Order", Version = 1)]
public partial struct OrderV1
{
    public long Sequence;
    public int Quantity;
    public VarUtf8 Symbol;
}

/// <summary>
/// Version 2: <see cref="Venue"/> lands in what was version 1's trailing padding (so a version 1 record's block length,
/// not its struct size, must say it is absent), a price, a variable-length note, and <see cref="Quantity"/> obsolete.
/// </summary>
[ChannelMessage(Name = "NeoBuffer.Tests.Order", Version = 2)]
public partial struct OrderV2
{
    public long Sequence;
    [Obsolete("Kept for version 1 readers.")]
    public int Quantity;
    public VarUtf8 Symbol;
    [Since(2)] public Venue Venue;
    [Since(2)] public double Price;
    [Since(2)] public VarBytes Note;
}
