namespace NeoBuffer.Ring;

/// <summary>A producer's half of a ring protocol: what a writer endpoint drives, whatever the topology.</summary>
internal unsafe interface IRingProducer
{
    /// <summary>The futex word this producer parks on when the ring is full.</summary>
    nint WakeWord { get; }

    /// <summary>Reserves a record of <paramref name="length"/> payload bytes; returns its payload, or null when the ring is full now.</summary>
    byte* TryClaim(int length);

    /// <summary>Publishes the open claim.</summary>
    void Commit();

    /// <summary>Gives the open claim back unpublished (a no-op without one).</summary>
    void Abort();

    /// <summary>Whether a record of <paramref name="length"/> payload bytes would fit now.</summary>
    bool HasSpaceFor(int length);

    /// <summary>
    /// Stops every producer of the channel from claiming, before the channel is marked completed, so that no claim can
    /// slip in after a reader has decided it has read everything. Single-producer rings need nothing: the completing
    /// producer is the only one.
    /// </summary>
    void Close()
    {
    }

    /// <summary>
    /// Deals with consumers that died while this producer waits for room: a dead tethered subscriber stops holding it
    /// back; a dead SPSC or MPSC reader makes the wait fail, when the channel was created to (the default).
    /// </summary>
    void ReclaimFromDeadPeers();
}
