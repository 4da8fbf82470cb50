namespace NeoBuffer.Waiting;

/// <summary>
/// What a parked async wait does every <see cref="RingWait.PeerCheckIntervalNs"/> while nothing wakes it, run by the
/// futex waiter thread itself: checking on the peers there costs one wake-up of that thread, where ending the wait
/// would cost a thread-pool hop, a fresh fence and a new registration every slice for as long as the channel is idle.
/// </summary>
internal interface ISliceCheck
{
    /// <summary>
    /// Checks the peers (may throw, which fails the wait) and returns true when the wait should end now: its
    /// condition holds although no wake came (the fenced-publication fallback can miss one; docs/format.md, "Waking").
    /// </summary>
    bool IsDone();
}
