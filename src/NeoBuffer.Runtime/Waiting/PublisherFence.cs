namespace NeoBuffer.Waiting;

/// <summary>
/// Whether a parked wait's current arming has been fenced for the publishers (docs/format.md, "Waking"): every kind of
/// wait (blocking, async, selection) makes the global barrier at most once per arming, late, and sleeps in short
/// slices until it has. The one rule, kept in one place.
/// </summary>
internal struct PublisherFence
{
    private bool _made;

    /// <summary>How long the next sleep may last: <see cref="RingWait.UnfencedSliceNs"/> until the fence is made.</summary>
    public readonly long SliceNs => _made ? RingWait.PeerCheckIntervalNs : RingWait.UnfencedSliceNs;

    /// <summary>Called after each (re)arming: the arming is unfenced again.</summary>
    public void Rearmed() => _made = false;

    /// <summary>Makes the fence unless this arming already has it; true when it was made now (re-check next).</summary>
    public bool MakeOnce()
    {
        if (_made)
        {
            return false;
        }

        Ring.Publication.BeforeRecheck();
        _made = true;
        return true;
    }
}
