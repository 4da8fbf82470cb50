namespace NeoBuffer.Ring;

/// <summary>
/// A producer's side of a ring protocol, whatever the topology: what a writer endpoint drives. The claim bookkeeping
/// (one claim open at a time, its position and length, the length check) and the wake word are written here once; a
/// topology supplies how space is claimed and how a claim is published. Not thread-safe: each producer has one owner.
/// </summary>
internal abstract unsafe class RingProducer : RingSide
{
    protected RingProducer(RingMemory memory)
        : base(memory)
    {
    }

    /// <summary>Where the open claim's record starts; -1 while no claim is open.</summary>
    protected long ClaimPosition { get; set; } = -1;

    /// <summary>The open claim's payload length.</summary>
    protected int ClaimLength { get; set; }

    /// <summary>The futex word this producer parks on when the ring is full.</summary>
    public nint WakeWord => (nint)(&Header->WriterWake);

    /// <summary>Reserves a record of <paramref name="length"/> payload bytes; returns its payload, or null when the ring is full now.</summary>
    public byte* TryClaim(int length)
    {
        if (ClaimPosition >= 0)
        {
            RingErrors.ThrowClaimOpen();
        }

        Memory.CheckLength(length);
        return TryClaimChecked(length);
    }

    /// <summary>
    /// Publishes the open claim as a message of its first <paramref name="length"/> payload bytes (at most the length
    /// claimed, which the caller has checked). The ring behind the shorter message is reused or padded as the topology
    /// allows (docs/format.md, "Committing less than was claimed").
    /// </summary>
    public abstract void Commit(int length);

    /// <summary>Publishes the open claim whole.</summary>
    public void Commit() => Commit(ClaimLength);

    /// <summary>Gives the open claim back unpublished (a no-op without one).</summary>
    public virtual void Abort() => ClaimPosition = -1;

    /// <summary>
    /// Copies the source's messages in order, as many as fit now, and publishes them; returns how many. A topology
    /// without a batch protocol publishes each on its own (this implementation); SPSC and MPSC publish the whole
    /// batch with one header store.
    /// </summary>
    public virtual int TryWriteBatch<TSource>(ref TSource source)
        where TSource : IMessageBatchSource, allows ref struct
    {
        int count = 0;
        for (; count < source.Count; count++)
        {
            int length = source.LengthAt(count);
            byte* payload = TryClaim(length);
            if (payload == null)
            {
                break;
            }

            try
            {
                source.CopyTo(count, new System.Span<byte>(payload, length));
            }
            catch
            {
                Abort();
                throw;
            }

            Commit();
        }

        return count;
    }

    /// <summary>Whether a record of <paramref name="length"/> payload bytes would fit now.</summary>
    public abstract bool HasSpaceFor(int length);

    /// <summary>
    /// Ends the stream: records <paramref name="reason"/> (null: completed without an error) in
    /// <paramref name="completion"/>, once every producer of the channel is stopped from claiming, so that no claim can
    /// slip in after a reader has decided it has read everything. False when the channel was already completed, or
    /// (several producers) when another producer had closed the claims (its completion is under way, or it died in
    /// between). Single-producer rings need no close: the completing producer is the only one.
    /// </summary>
    public virtual bool TryComplete(ChannelCompletion completion, string? reason) => completion.TryComplete(reason);

    /// <summary>
    /// Whether the producers are closed to claims (<see cref="TryComplete"/> closed them, here or in another process), as the shared
    /// state says: then no claim can succeed again, whatever the completion word says yet.
    /// </summary>
    public virtual bool IsClosed => false;

    /// <summary>
    /// Deals with consumers that died while this producer waits for room: a dead tethered subscriber stops holding it
    /// back; a dead SPSC or MPSC reader makes the wait fail, when the channel was created to (the default).
    /// </summary>
    public abstract void ReclaimFromDeadPeers();

    /// <summary>
    /// <see cref="TryClaim"/> once no claim is open and the length is within the channel's limit: claims the space and
    /// sets <see cref="ClaimPosition"/> and <see cref="ClaimLength"/>, or returns null when there is no room now.
    /// </summary>
    protected abstract byte* TryClaimChecked(int length);
}
