namespace NeoBuffer.Bench.Transports;

/// <summary>The request of the <c>request</c> run: a sequence number and a body that makes the record the measured size.</summary>
[ChannelMessage(Name = "NeoBuffer.Bench.BenchRequest")]
public partial struct BenchRequest
{
    public long Sequence;
    public VarBytes Body;
}

/// <summary>The response: the request's body sent back (the same size each way, as the socket's echo).</summary>
[ChannelMessage(Name = "NeoBuffer.Bench.BenchResponse")]
public partial struct BenchResponse
{
    public long Sequence;
    public VarBytes Body;
}
