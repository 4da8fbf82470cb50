namespace NeoBuffer.Waiting;

/// <summary>
/// Whether a parked wait's current arming has been fenced for the publishers (docs/format.md, "Waking"): every kind of
/// wait (blocking, async, selection) makes the global barrier at most once per arming, late, and sleeps in short
/// slices until it has. The one rule, kept in one place.
/// </summary>
internal struct PublisherFence
{
    private bool _made;
    private bool _fenced;

    /// <summary>
    /// How long the next sleep may last: <see cref="RingWait.UnfencedSliceNs"/> until the fence stands. A barrier the
    /// kernel refused leaves the arming unfenced for good, so the waiter keeps sleeping in short slices and re-checking
    /// its condition after each: a publisher that missed the arming cannot keep it asleep past one slice.
    /// </summary>
    public readonly long SliceNs => _fenced ? RingWait.PeerCheckIntervalNs : RingWait.UnfencedSliceNs;

    /// <summary>Called after each (re)arming: the arming is unfenced again.</summary>
    public void Rearmed()
    {
        _made = false;
        _fenced = false;
    }

    /// <summary>
    /// Tries the fence unless this arming already did; true when it was tried now (re-check next, whatever the
    /// outcome: a refused barrier is not retried each slice, which would starve the peer checks).
    /// </summary>
    public bool MakeOnce()
    {
        if (_made)
        {
            return false;
        }

        _fenced = Publication.BeforeRecheck();
        _made = true;
        return true;
    }
}
