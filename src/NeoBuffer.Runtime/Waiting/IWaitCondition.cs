namespace NeoBuffer.Waiting;

/// <summary>What a waiter waits for, as a struct so the wait loops are specialised per condition and allocate nothing.</summary>
internal interface IWaitCondition
{
    /// <summary>Whether the wait is over (data arrived, space freed, or the channel completed).</summary>
    bool IsSatisfied();

    /// <summary>
    /// Called when a park slice passed with no progress: looks for peers that died (their row lock is gone) and deals
    /// with what they left, or throws when the wait can no longer end well (the reader of a full ring is dead).
    /// </summary>
    void ReclaimFromDeadPeers();

    /// <summary>
    /// Called once per wait, before its first sleep on the futex, so the endpoint can count the waits that parked
    /// (<c>neobuffer.waits.parked</c>). Never called for a wait that ends while it spins.
    /// </summary>
    void OnParking();
}
