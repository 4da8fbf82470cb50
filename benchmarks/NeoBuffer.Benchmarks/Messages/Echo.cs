namespace NeoBuffer.Benchmarks.Messages;

/// <summary>The request of <see cref="RequestRoundTripBenchmarks"/>: a sequence number and a body (the shape of the harness's <c>request</c> run).</summary>
[ChannelMessage]
public partial struct EchoRequest
{
    public long Sequence;
    public VarBytes Body;
}

/// <summary>The response of <see cref="RequestRoundTripBenchmarks"/>: the request's body sent back.</summary>
[ChannelMessage]
public partial struct EchoResponse
{
    public long Sequence;
    public VarBytes Body;
}
