using System;

namespace NeoBuffer.TestHost.Messages;

/// <summary>A message with no variable-length fields, copied whole with TryWrite/TryRead.</summary>
[ChannelMessage]
public partial struct Tick
{
    public long Sequence;
    public double Price;
    public Int128 Volume;
    public Guid Id;
    public char Side;
}
