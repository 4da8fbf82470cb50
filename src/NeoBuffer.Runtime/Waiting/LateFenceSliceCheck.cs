namespace NeoBuffer.Waiting;

/// <summary>
/// The slice check of every parked async wait: the first check after an arming fences for the publishers
/// (<see cref="RingWait.UnfencedSliceNs"/>) and looks at the condition again; later ones look at the condition, then
/// at the peers, then at the condition once more.
/// </summary>
internal abstract class LateFenceSliceCheck : ISliceCheck
{
    private PublisherFence _fence;

    /// <summary>Called after each (re)arming: the next check fences again.</summary>
    public void Rearmed() => _fence.Rearmed();

    /// <summary>Fences for the publishers unless this arming already has.</summary>
    public void FenceIfNotYet() => _fence.MakeOnce();

    public bool IsDone()
    {
        if (_fence.MakeOnce())
        {
            return IsSatisfied();
        }

        // Satisfied first: that covers a disposed endpoint, whose peers are no longer this wait's to check.
        if (IsSatisfied())
        {
            return true;
        }

        ReclaimFromDeadPeers();
        return IsSatisfied();
    }

    /// <summary>Whether the wait can end: a message, room, the end of the stream, or a disposed endpoint.</summary>
    protected abstract bool IsSatisfied();

    /// <summary>Checks the awaited peers are alive; throws or completes the channel when one is not.</summary>
    protected abstract void ReclaimFromDeadPeers();
}
