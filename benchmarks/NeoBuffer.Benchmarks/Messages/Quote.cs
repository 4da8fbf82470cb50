namespace NeoBuffer.Benchmarks.Messages;

/// <summary>A small fixed message with a mix of field sizes, read and written by <see cref="ViewBuilderBenchmarks"/>.</summary>
[ChannelMessage]
public partial struct Quote
{
    public long Timestamp;
    public double Bid;
    public double Ask;
    public int BidSize;
    public int AskSize;
    public short Venue;
    public bool Firm;
    public byte Flags;
    public VarBytes Extra;
}
