namespace NeoBuffer.Generators.Tests.Messages;

/// <summary>
/// The test order message (<c>NeoBuffer.Tests.Order</c>, as in NeoBuffer.TestHost) with its quantity retyped from
/// int to long: a breaking change, which a channel of either real version must refuse.
/// </summary>
[ChannelMessage(Name = "NeoBuffer.Tests.Order", Version = 2)]
public partial struct OrderRetyped
{
    public long Sequence;
    public long Quantity;
    public VarUtf8 Symbol;
}
