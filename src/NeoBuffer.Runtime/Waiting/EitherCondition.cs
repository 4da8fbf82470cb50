namespace NeoBuffer.Waiting;

/// <summary>
/// A wait that ends when either of two conditions holds: an endpoint's own (a message, room) and one of its caller's
/// (a request answered elsewhere). Dead peers and parking are the first condition's business; the second's are asked too.
/// </summary>
internal readonly struct EitherCondition<TFirst, TSecond>(TFirst first, TSecond second) : IWaitCondition
    where TFirst : IWaitCondition
    where TSecond : IWaitCondition
{
    public bool IsSatisfied() => first.IsSatisfied() || second.IsSatisfied();

    public void ReclaimFromDeadPeers()
    {
        first.ReclaimFromDeadPeers();
        second.ReclaimFromDeadPeers();
    }

    public void OnParking()
    {
        first.OnParking();
        second.OnParking();
    }
}
