namespace NeoBuffer.Ring;

/// <summary>A consumer's half of a ring protocol: what a reader endpoint drives, whatever the topology.</summary>
internal unsafe interface IRingConsumer
{
    /// <summary>The futex word this consumer parks on when the ring is empty.</summary>
    nint WakeWord { get; }

    /// <summary>
    /// The channel position of the next record to read, or of the leased one while a lease is open: positions only grow,
    /// and an unconsumed record keeps its position for the next consumer.
    /// </summary>
    long Position { get; }

    /// <summary>Whether a lease is open.</summary>
    bool HasOpenLease { get; }

    /// <summary>Leases the next committed message in place; false when there is none now.</summary>
    bool TryBeginRead(out byte* payload, out int length);

    /// <summary>Ends the lease and consumes the message.</summary>
    void EndRead();

    /// <summary>Ends the lease without consuming the message: the next read returns it again.</summary>
    void AbandonRead();

    /// <summary>Whether a committed message is waiting.</summary>
    bool HasMessage();

    /// <summary>Whether everything claimed so far has been read (called once the channel is completed).</summary>
    bool IsDrained() => !HasMessage();

    /// <summary>Whether the leased message's bytes are still as read (false only for a lapped lossy subscriber).</summary>
    bool IsLeaseIntact() => true;

    /// <summary>Messages this consumer lost to being lapped (lossy subscribers only).</summary>
    long Lost => 0;

    /// <summary>
    /// Deals with producers that died (docs/format.md, "Liveness"): in MPSC, a dead writer's unfinished claim becomes
    /// padding so the others go on; in SPSC and broadcast, a dead writer faults the channel (after what it committed).
    /// </summary>
    void CheckPeers();
}
