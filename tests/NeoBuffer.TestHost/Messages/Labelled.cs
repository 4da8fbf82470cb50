namespace NeoBuffer.TestHost.Messages;

/// <summary>A message with variable-length fields, passed to process functions as an <see cref="OwnedMessage{T}"/>.</summary>
[ChannelMessage]
public partial struct Labelled
{
    public int Id;
    public VarUtf8 Label;
    public VarArray<double> Values;
}
