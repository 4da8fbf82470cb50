namespace NeoBuffer.Waiting;

/// <summary>
/// What a parked async wait does after <see cref="RingWait.UnfencedSliceNs"/> and then every
/// <see cref="RingWait.PeerCheckIntervalNs"/> while nothing wakes it, run by the futex waiter thread itself: doing it
/// there costs one wake-up of that thread, where ending the wait would cost a thread-pool hop, a fresh fence and a new
/// registration every slice for as long as the channel is idle.
/// </summary>
internal interface ISliceCheck
{
    /// <summary>
    /// Fences for the publishers or checks the peers (may throw, which fails the wait), and returns true when the wait
    /// should end now: its condition holds although no wake came (docs/format.md, "Waking").
    /// </summary>
    bool IsDone();
}
