using NeoBuffer;

/// <summary>What a client asks: the sum of two numbers.</summary>
[ChannelMessage(Name = "RequestReply.Question")]
public partial struct Question
{
    public long Id;
    public long A;
    public long B;
}

/// <summary>What the server answers.</summary>
[ChannelMessage(Name = "RequestReply.Answer")]
public partial struct Answer
{
    public long Id;
    public long Sum;
    public int ServerPid;
}
