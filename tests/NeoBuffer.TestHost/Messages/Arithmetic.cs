namespace NeoBuffer.TestHost.Messages;

/// <summary>A request of the request/response tests: add two numbers, after DelayMs (so answers come back out of order; negative: never answer).</summary>
[ChannelMessage]
public partial struct AddRequest
{
    public long A;
    public long B;
    public int DelayMs;
}

/// <summary>The answer to an <see cref="AddRequest"/>.</summary>
[ChannelMessage]
public partial struct AddResponse
{
    public long Sum;
    public int ServerPid;
}

/// <summary>A request with a variable-length body, echoed back reversed.</summary>
[ChannelMessage]
public partial struct EchoRequest
{
    public long Id;
    public VarBytes Data;
}

/// <summary>The answer to an <see cref="EchoRequest"/>.</summary>
[ChannelMessage]
public partial struct EchoResponse
{
    public long Id;
    public VarBytes Data;
}
