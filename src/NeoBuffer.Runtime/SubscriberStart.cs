namespace NeoBuffer;

/// <summary>Where a broadcast subscriber starts reading when it joins.</summary>
public enum SubscriberStart
{
    /// <summary>At the next message the producer commits.</summary>
    Live = 0,

    /// <summary>At the oldest message still in the ring.</summary>
    Oldest = 1,
}
