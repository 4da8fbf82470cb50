namespace NeoBuffer.Benchmarks.Messages;

/// <summary>Version 1 of a quote that evolves, read by <see cref="VersionedViewBenchmarks"/>.</summary>
[ChannelMessage(Name = "bench.VersionedQuote", Version = 1)]
public partial struct VersionedQuoteV1
{
    public long Timestamp;
    public double Bid;
    public double Ask;
    public int BidSize;
}

/// <summary>Version 2 of the same message: two fields appended.</summary>
[ChannelMessage(Name = "bench.VersionedQuote", Version = 2)]
public partial struct VersionedQuoteV2
{
    public long Timestamp;
    public double Bid;
    public double Ask;
    public int BidSize;
    [Since(2)] public int AskSize;
    [Since(2)] public short Venue;
}

/// <summary>The same six fields in a message that does not evolve: no block prefix, no <c>Has</c> check.</summary>
[ChannelMessage]
public partial struct PlainQuote
{
    public long Timestamp;
    public double Bid;
    public double Ask;
    public int BidSize;
    public int AskSize;
    public short Venue;
}
