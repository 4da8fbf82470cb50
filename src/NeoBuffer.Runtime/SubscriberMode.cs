namespace NeoBuffer;

/// <summary>How a broadcast subscriber relates to the producer.</summary>
public enum SubscriberMode
{
    /// <summary>The producer waits for this subscriber: it sees every message, and a slow one slows the producer.</summary>
    Tethered = 1,

    /// <summary>
    /// The producer never waits for this subscriber: when it falls more than a ring behind it is lapped, resumes at the
    /// oldest message still in the ring, and counts what it lost in <see cref="SharedChannelReader.LostMessages"/>.
    /// </summary>
    Lossy = 2,
}
