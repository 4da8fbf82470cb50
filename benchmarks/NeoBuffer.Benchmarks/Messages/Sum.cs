namespace NeoBuffer.Benchmarks.Messages;

/// <summary>The request of <see cref="IncomingRequestBenchmarks"/>: two numbers to add.</summary>
[ChannelMessage]
public partial struct SumRequest
{
    public int A;
    public int B;
}

/// <summary>The response of <see cref="IncomingRequestBenchmarks"/>: their sum.</summary>
[ChannelMessage]
public partial struct SumResponse
{
    public long Sum;
}
