using System;
using System.Threading;

namespace NeoBuffer.Ring;

/// <summary>
/// A consumer's side of a ring protocol, whatever the topology: what a reader endpoint drives. The lease bookkeeping
/// (one lease open at a time, ending it, abandoning it) and the wake word are written here once; a topology supplies
/// how the next committed record is found and how consuming one hands its space back. Not thread-safe: each consumer
/// has one owner.
/// </summary>
internal abstract unsafe class RingConsumer : RingSide
{
    /// <summary>The most a batch consumes before it publishes what it consumed so far (less in a small ring: a quarter of it).</summary>
    public const long BatchPublishBytes = 16 * 1024;

    private readonly long _publishEvery;
    private long _leaseEnd = -1;
    private bool _batchOpen;
    private long _unpublished;

    protected RingConsumer(RingMemory memory)
        : base(memory)
    {
        _publishEvery = PublishStep(Capacity);
    }

    /// <summary>
    /// How much a batch consumes at most before it publishes: 16 KiB, or a quarter of a smaller ring. What a consumer
    /// has read and not yet published is therefore always less than this plus one record.
    /// </summary>
    public static long PublishStep(long capacity) => Math.Min(BatchPublishBytes, capacity / 4);

    /// <summary>The futex word this consumer parks on when the ring is empty.</summary>
    public nint WakeWord => (nint)(&Header->ReaderWake);

    /// <summary>Whether a lease is open.</summary>
    public bool HasOpenLease => _leaseEnd >= 0;

    /// <summary>
    /// The channel position of the next record to read, or of the leased one while a lease is open: positions only grow,
    /// and an unconsumed record keeps its position for the next consumer.
    /// </summary>
    public abstract long Position { get; }

    /// <summary>Leases the next committed message in place; false when there is none now.</summary>
    public bool TryBeginRead(out byte* payload, out int length)
    {
        if (_leaseEnd >= 0)
        {
            RingErrors.ThrowLeaseOpen();
        }

        if (!TryFindNext(out long position, out long footprint, out length))
        {
            payload = null;
            return false;
        }

        _leaseEnd = position + footprint;
        payload = Memory.PayloadAt(position);
        return true;
    }

    /// <summary>
    /// Ends the lease and consumes the message. Outside a batch its space goes back at once; inside one, once the batch
    /// ends, has consumed <see cref="BatchPublishBytes"/> (a quarter of a smaller ring) since it last handed space back,
    /// or finds a producer parked for room as this message ends: a producer waiting for room is woken within a bounded
    /// amount of reading, and one already parked is not kept waiting by the next handler.
    /// </summary>
    public void EndRead()
    {
        long end = _leaseEnd;
        _leaseEnd = -1;
        if (!_batchOpen)
        {
            ConsumeUpTo(end);
            return;
        }

        _unpublished += end - Position;
        Advance(end);

        // A writer parked for room gets what was read at once: a handler that goes on to wait for that writer (a
        // reply, a rendezvous) would otherwise hold it parked while less than a publication step is held. One load
        // of a word on its own cache line, which only a parking or woken writer stores to: an L1 hit while none parks.
        if (_unpublished >= _publishEvery || (Volatile.Read(ref Header->WriterWake) & 1) != 0)
        {
            _unpublished = 0;
            PublishConsumed();
        }
    }

    /// <summary>
    /// Opens a batch: the reads that follow hand their space back together (<see cref="EndRead"/>). Every record read
    /// in the batch stays in place, unreused, until the batch publishes past it.
    /// </summary>
    public void BeginBatch() => _batchOpen = true;

    /// <summary>Closes the batch, handing back whatever it consumed and has not published yet. Idempotent.</summary>
    public void EndBatch()
    {
        _batchOpen = false;
        if (_unpublished != 0)
        {
            _unpublished = 0;
            PublishConsumed();
        }
    }

    /// <summary>Ends the lease without consuming the message: the next read returns it again.</summary>
    public virtual void AbandonRead() => _leaseEnd = -1;

    /// <summary>Whether a committed message is waiting.</summary>
    public bool HasMessage() => TryFindNext(out _, out _, out _);

    /// <summary>Whether everything claimed so far has been read (called once the channel is completed).</summary>
    public virtual bool IsDrained() => !HasMessage();

    /// <summary>
    /// Deals with producers that died (docs/format.md, "Liveness"): in MPSC, a dead writer's unfinished claim becomes
    /// padding so the others go on; in SPSC and broadcast, a dead writer faults the channel (after what it committed).
    /// </summary>
    public abstract void ReclaimFromDeadPeers();

    /// <summary>
    /// Skips padding up to the next committed message and checks its header: its record's position and footprint and
    /// its payload length; false when none is committed now.
    /// </summary>
    protected abstract bool TryFindNext(out long position, out long footprint, out int length);

    /// <summary>Consumes the leased record, which ends at <paramref name="end"/>, and hands its space back.</summary>
    protected virtual void ConsumeUpTo(long end)
    {
        Advance(end);
        PublishConsumed();
    }

    /// <summary>Moves this side past the leased record, which ends at <paramref name="end"/>, without publishing it.</summary>
    protected abstract void Advance(long end);

    /// <summary>
    /// Hands back every record this side has moved past: publishes its position (and wakes a producer parked for
    /// room). A producer may reuse that space from then on.
    /// </summary>
    protected abstract void PublishConsumed();

    /// <summary>
    /// Adds a padding record of <paramref name="footprint"/> bytes at <paramref name="position"/> to the padding skipped
    /// in a row (<paramref name="run"/>). A producer pads at most to the end of the ring and then to an alignment before
    /// each message: more than a ring's worth of padding in a row is a peer feeding the reader an endless ring.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    protected void CountPadding(ref long run, long position, long footprint)
    {
        run += footprint;
        if (run > Capacity)
        {
            throw Memory.Corrupted($"more than a ring's worth of padding follows position {position + footprint - run}");
        }
    }
}
