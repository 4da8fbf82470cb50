using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using NeoBuffer.Format;
using NeoBuffer.Metrics;
using NeoBuffer.Ring;
using NeoBuffer.Segments;
using NeoBuffer.Waiting;

namespace NeoBuffer;

/// <summary>
/// The producer side of a shared-memory channel: claims space in the ring, fills it in place and commits it, or copies
/// small messages in with <see cref="TryWrite(ReadOnlySpan{byte})"/>. One writer per channel; not thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// Disposing the writer detaches it without completing the channel, so another writer may attach later; call
/// <see cref="Complete"/> to tell readers the stream has ended.
/// </para>
/// <para>
/// While open, the writer reports its messages and payload bytes written, its waits that parked and how full the ring
/// is to the <c>NeoBuffer</c> meter (System.Diagnostics.Metrics), tagged with the channel's name, topology and the role
/// <c>writer</c>; see README.md, "Metrics".
/// </para>
/// </remarks>
public sealed class SharedChannelWriter : IDisposable
{
    private readonly SharedSegment _segment;
    private readonly RingProducer _ring;
    private readonly ParticipantRole _role;
    private readonly ChannelCompletion _completion;
    private long _claimsOpened;
    private long _openClaim;
    private readonly int _spinCount;
    private readonly EndpointMetrics _metrics;
    private DetachGate _gate;

    internal unsafe SharedChannelWriter(SharedSegment segment, SharedChannelOptions options)
    {
        _segment = segment;
        (_ring, _role) = RingAttachment.Producer(segment, options);
        _completion = new ChannelCompletion(segment.Header);
        _spinCount = options.SpinCount;
        _metrics = EndpointMetrics.ForWriter(segment, _role);
        NeoBufferMeter.Track(_metrics); // last: a writer that failed to open is never reported
    }

    /// <summary>The channel's name.</summary>
    public string Name => _segment.Name;

    /// <summary>The directory of the channel's segment file: where another process (a process function's child) opens it.</summary>
    internal string SegmentDirectory => System.IO.Path.GetDirectoryName(_segment.Path)!;

    /// <summary>The largest message payload, in bytes, this channel accepts.</summary>
    public int MaxMessageSize => _segment.Geometry.MaxPayloadSize;

    /// <summary>The channel's topology.</summary>
    public ChannelTopology Topology => _segment.Geometry.Topology;

    /// <summary>The ring's capacity in bytes.</summary>
    public long Capacity => _segment.Geometry.Capacity;

    /// <summary>
    /// Claims <paramref name="length"/> bytes for one message if the ring has room now. Fill <see cref="WriteClaim.Payload"/>
    /// and commit; returns false when the ring is full or the channel is completed.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative or above <see cref="MaxMessageSize"/>.</exception>
    public unsafe bool TryClaim(int length, out WriteClaim claim)
    {
        byte* payload = TryClaimPayload(length);
        if (payload == null)
        {
            claim = default;
            return false;
        }

        claim = new WriteClaim(this, _openClaim, new Span<byte>(payload, length));
        return true;
    }

    /// <summary>Claims <paramref name="length"/> bytes, waiting for room as long as it takes.</summary>
    /// <exception cref="ChannelClosedException">The channel was completed.</exception>
    public WriteClaim Claim(int length, CancellationToken cancellationToken = default) =>
        Claim(length, Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>Claims <paramref name="length"/> bytes, waiting up to <paramref name="timeout"/> for room.</summary>
    /// <exception cref="TimeoutException">No room appeared within <paramref name="timeout"/>.</exception>
    /// <exception cref="ChannelClosedException">The channel was completed.</exception>
    public unsafe WriteClaim Claim(int length, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        byte* payload = ClaimPayload(length, timeout, cancellationToken);
        return new WriteClaim(this, _openClaim, new Span<byte>(payload, length));
    }

    /// <summary>
    /// Creates an <see cref="System.Buffers.IBufferWriter{T}"/> that writes each message in place in a claim, for
    /// serializers: <see cref="ClaimBufferWriter.Claim(int, CancellationToken)"/> up to a largest length, let the
    /// serializer write, then <see cref="ClaimBufferWriter.Commit"/> publishes the bytes it wrote. Create one per
    /// writer and reuse it: it allocates nothing per message.
    /// </summary>
    public ClaimBufferWriter CreateBufferWriter()
    {
        ThrowIfDisposed();
        return new ClaimBufferWriter(this);
    }

    /// <summary>Claims <paramref name="length"/> bytes if the ring has room now: the payload, or null when full or completed.</summary>
    internal unsafe byte* TryClaimPayload(int length)
    {
        ThrowIfDisposed();
        byte* payload = _completion.IsCompleted ? null : _ring.TryClaim(length);
        if (payload != null)
        {
            _openClaim = ++_claimsOpened;
        }

        return payload;
    }

    /// <summary>The number of the open claim (0 when none is open): a claim ends only by the number it was opened under.</summary>
    internal long OpenClaim => _openClaim;

    /// <summary>Claims <paramref name="length"/> bytes, waiting up to <paramref name="timeout"/> for room: the payload.</summary>
    internal unsafe byte* ClaimPayload(int length, TimeSpan timeout, CancellationToken cancellationToken)
    {
        while (true)
        {
            byte* payload = TryClaimPayload(length);
            if (payload != null)
            {
                return payload;
            }

            if (!WaitToWrite(length, timeout, cancellationToken))
            {
                throw ClosedError();
            }
        }
    }

    /// <summary>Copies <paramref name="payload"/> in as one message if the ring has room now.</summary>
    public bool TryWrite(ReadOnlySpan<byte> payload)
    {
        if (!TryClaim(payload.Length, out WriteClaim claim))
        {
            return false;
        }

        payload.CopyTo(claim.Payload);
        claim.Commit();
        return true;
    }

    /// <summary>Copies the bytes of <paramref name="message"/> in as one message if the ring has room now.</summary>
    public bool TryWrite<T>(in T message) where T : unmanaged =>
        TryWrite(MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in message)));

    /// <summary>
    /// Copies the messages in, in order, as many as the ring has room for now, and publishes them together: SPSC and
    /// MPSC readers see the whole batch at once, through one header store (a broadcast writer publishes each message
    /// on its own). Returns how many were written, from the start of <paramref name="messages"/>; 0 when the ring is
    /// full or the channel is completed. Each element is one message of its bytes, as <see cref="TryWrite{T}(in T)"/>
    /// writes it.
    /// </summary>
    /// <remarks>
    /// A writer that dies while writing a batch (its process killed, or crashed) publishes none of it: an MPSC reader
    /// recovers the claim and sees no message of that batch, not even those already copied, and reads on with the
    /// other writers' messages; an SPSC or broadcast reader sees every message committed before the batch (a broadcast
    /// batch: each message that was published on its own), then the channel faults as for any dead writer. The MPSC
    /// batches of a writer stop at the ring's end, so a batch may take fewer messages than there is room for.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">A <typeparamref name="T"/> is larger than <see cref="MaxMessageSize"/>.</exception>
    public unsafe int TryWriteBatch<T>(ReadOnlySpan<T> messages) where T : unmanaged
    {
        var batch = new UnmanagedBatch<T>(messages);
        int count = TryWriteBatchCore(ref batch);
        _metrics.CountMessages(count, (long)count * sizeof(T));
        return count;
    }

    /// <summary>
    /// Copies the messages in, in order, as many as the ring has room for now, and publishes them together (see
    /// <see cref="TryWriteBatch{T}(ReadOnlySpan{T})"/>). Returns how many were written, from the start of
    /// <paramref name="messages"/>; 0 when the ring is full or the channel is completed. A writer that dies midway
    /// publishes none of the batch (see the remarks there).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A message is longer than <see cref="MaxMessageSize"/>: nothing of the batch is published.</exception>
    public int TryWriteBatch(ReadOnlySpan<ReadOnlyMemory<byte>> messages)
    {
        var batch = new MemoryBatch(messages);
        int count = TryWriteBatchCore(ref batch);
        long bytes = 0;
        for (int index = 0; index < count; index++)
        {
            bytes += messages[index].Length;
        }

        _metrics.CountMessages(count, bytes);
        return count;
    }

    private int TryWriteBatchCore<TSource>(ref TSource batch) where TSource : IMessageBatchSource, allows ref struct
    {
        ThrowIfDisposed();
        for (int index = 0; index < batch.Count; index++)
        {
            CheckLength(batch.LengthAt(index)); // all checked first: a batch is refused whole, never cut at a bad message
        }

        return _completion.IsCompleted ? 0 : _ring.TryWriteBatch(ref batch);
    }

    /// <summary>Copies <paramref name="payload"/> in as one message, waiting for room as long as it takes.</summary>
    /// <exception cref="ChannelClosedException">The channel was completed.</exception>
    public void Write(ReadOnlySpan<byte> payload, CancellationToken cancellationToken = default) =>
        Write(payload, Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>Copies <paramref name="payload"/> in as one message, waiting up to <paramref name="timeout"/> for room.</summary>
    /// <exception cref="TimeoutException">No room appeared within <paramref name="timeout"/>.</exception>
    /// <exception cref="ChannelClosedException">The channel was completed.</exception>
    public void Write(ReadOnlySpan<byte> payload, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        WriteClaim claim = Claim(payload.Length, timeout, cancellationToken);
        payload.CopyTo(claim.Payload);
        claim.Commit();
    }

    /// <summary>Copies <paramref name="payload"/> in as one message, waiting asynchronously for room.</summary>
    /// <exception cref="ChannelClosedException">The channel was completed.</exception>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default) =>
        TryWrite(payload.Span) ? ValueTask.CompletedTask : WriteSlowAsync(payload, Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>Copies <paramref name="payload"/> in as one message, waiting asynchronously up to <paramref name="timeout"/> for room.</summary>
    /// <exception cref="TimeoutException">No room appeared within <paramref name="timeout"/>.</exception>
    /// <exception cref="ChannelClosedException">The channel was completed.</exception>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> payload, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        TryWrite(payload.Span) ? ValueTask.CompletedTask : WriteSlowAsync(payload, timeout, cancellationToken);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteSlowAsync(ReadOnlyMemory<byte> payload, TimeSpan timeout, CancellationToken cancellationToken)
    {
        while (!TryWrite(payload.Span))
        {
            if (!await WaitToWriteAsync(payload.Length, timeout, cancellationToken).ConfigureAwait(false))
            {
                throw ClosedError();
            }
        }
    }

    /// <summary>
    /// Waits until a message of <paramref name="length"/> bytes fits. Returns true when it does, false when the channel
    /// was completed.
    /// </summary>
    public bool WaitToWrite(int length, CancellationToken cancellationToken = default) =>
        WaitToWrite(length, Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>
    /// Waits up to <paramref name="timeout"/> until a message of <paramref name="length"/> bytes fits. Returns true when
    /// it does, false when the channel was completed (or, with several writers, another writer began completing it).
    /// </summary>
    /// <exception cref="TimeoutException">No room appeared within <paramref name="timeout"/>.</exception>
    public bool WaitToWrite(int length, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        CheckLength(length);
        EnterWait();
        try
        {
            if (!RingWait.Block(new RoomCondition(this, length), _ring.WakeWord, _segment.Mapping, _spinCount, timeout, cancellationToken))
            {
                throw TimedOut(timeout);
            }

            ThrowIfDisposed();
            return !HasEnded();
        }
        finally
        {
            ExitWait();
        }
    }

    /// <summary>
    /// Waits asynchronously until a message of <paramref name="length"/> bytes fits. Completes with true when it does,
    /// false when the channel was completed (or, with several writers, another writer began completing it). No thread
    /// blocks while it waits.
    /// </summary>
    public ValueTask<bool> WaitToWriteAsync(int length, CancellationToken cancellationToken = default) =>
        WaitToWriteAsync(length, Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>
    /// Waits asynchronously up to <paramref name="timeout"/> until a message of <paramref name="length"/> bytes fits.
    /// Completes with true when it does, false when the channel was completed (or another writer began completing it).
    /// </summary>
    /// <exception cref="TimeoutException">No room appeared within <paramref name="timeout"/>.</exception>
    public ValueTask<bool> WaitToWriteAsync(int length, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        CheckLength(length);
        EnterWait();
        bool handedOver = false;
        try
        {
            ValueTask<bool> wait = RingWait.WaitAsync(new RoomCondition(this, length), _ring.WakeWord, _segment.Mapping, _spinCount, timeout, cancellationToken);
            if (wait.IsCompletedSuccessfully && wait.Result)
            {
                return new ValueTask<bool>(!HasEnded());
            }

            handedOver = true;
            return AfterWaitAsync(wait, timeout);
        }
        finally
        {
            if (!handedOver)
            {
                ExitWait();
            }
        }
    }

    // Owns the wait's place in the gate's count: the condition may still run (on the futex waiter thread) until it ends.
    private async ValueTask<bool> AfterWaitAsync(ValueTask<bool> wait, TimeSpan timeout)
    {
        try
        {
            if (!await wait.ConfigureAwait(false))
            {
                throw TimedOut(timeout);
            }

            ThrowIfDisposed();
            return !HasEnded();
        }
        finally
        {
            ExitWait();
        }
    }

    /// <summary>
    /// Ends the stream: readers read what was written, then see the channel completed (with <paramref name="error"/>
    /// as the reason when given). Returns false when it was already completed, or (several writers) when another
    /// writer's completion is under way.
    /// </summary>
    public bool TryComplete(Exception? error = null)
    {
        ThrowIfDisposed();
        string? reason = error is null ? null : $"{error.GetType().Name}: {error.Message}"; // before the close: its window stays two stores wide

        // With several writers, the one whose close set the claim counter's bit owns the completion: a writer that
        // found the counter closed (and so its own writes ended, see HasEnded) and completes in reaction must not
        // record its outcome over the closer's, which is about to be stored. Should the closer die in between, the
        // reader proves it dead and faults the channel in its stead (docs/format.md, "MPSC protocol", Completion).
        return _ring.TryComplete(_completion, reason);
    }

    /// <summary>Ends the stream (see <see cref="TryComplete"/>).</summary>
    /// <exception cref="ChannelClosedException">The channel was already completed.</exception>
    public void Complete(Exception? error = null)
    {
        if (!TryComplete(error))
        {
            throw new ChannelClosedException($"Channel '{Name}' was already completed.");
        }
    }

    /// <summary>
    /// Detaches from the channel (aborting any open claim) and unmaps it, once any wait on another thread has returned
    /// (such a wait is woken and ends with <see cref="ObjectDisposedException"/>); the last participant out removes it.
    /// </summary>
    public unsafe void Dispose()
    {
        if (!_gate.TryDispose())
        {
            return;
        }

        NeoBufferMeter.Untrack(_metrics); // first: once it returns, no collection reads the segment about to be unmapped
        RingWait.WakeWord(_ring.WakeWord); // a wait on another thread sees the dispose and returns, then detaches
        if (_gate.HasNoWaits)
        {
            DetachOnce();
        }
    }

    /// <summary>
    /// Throws <see cref="ChannelClosedException"/> when the ring's reader died or left (as a writer waiting for room
    /// would); for code that must notice a gone reader without waiting for the ring to fill.
    /// </summary>
    internal void ThrowIfReaderGone()
    {
        ThrowIfDisposed();
        _ring.ReclaimFromDeadPeers();
    }

    /// <summary>
    /// Counts a wait in flight: its condition and peer check run the producer's protocol (a dead peer's row is cleared
    /// there), so the role and the segment stay this writer's until the last wait has returned, even when another
    /// thread disposes it meanwhile; otherwise a new writer could attach while the old wait still acts for the role.
    /// </summary>
    private void EnterWait()
    {
        if (!_gate.TryEnterWait())
        {
            ExitWait();
            ThrowIfDisposed();
        }
    }

    private void ExitWait()
    {
        if (_gate.ExitWait())
        {
            DetachOnce();
        }
    }

    // Dispose and the last wait's end may each find the writer ready to detach: it detaches once.
    private void DetachOnce()
    {
        if (_gate.TryDetach())
        {
            Detach();
        }
    }

    private unsafe void Detach()
    {
        _ring.Abort();
        _role.Release();
        // The writer is gone: a reader parked waiting for it re-checks (and, once liveness lands, may see why).
        RingWait.WakeWord((nint)(&_segment.Header->ReaderWake));
        RingWait.WakeWord(_ring.WakeWord);
        _segment.Dispose();
    }

    /// <summary>The segment, for the companions built on this writer (handle passing).</summary>
    internal SharedSegment Segment => _segment;

    /// <summary>The word this ring's reader parks on (<see cref="ChannelHeader.ReaderWake"/>).</summary>
    internal unsafe nint ReaderWakeWord => (nint)(&_segment.Header->ReaderWake);

    /// <summary>Whether <see cref="Dispose"/> was called.</summary>
    internal bool IsDisposed => _gate.IsDisposed;

    /// <summary>Publishes the open claim as a message of <paramref name="length"/> bytes, at most the length claimed (checked by the caller).</summary>
    internal void CommitClaim(int length, long claim)
    {
        ThrowIfDisposed();
        EndClaim(claim);
        _ring.Commit(length);
        _metrics.CountMessage(length);
    }

    internal void AbortClaim(long claim)
    {
        EndClaim(claim);
        _ring.Abort();
    }

    // A WriteClaim is a struct: a copy of one that was committed or aborted still holds this writer. Its number, not the
    // ring's "a claim is open", decides whether it may end the open claim: a stale copy never publishes another claim's
    // bytes under its own length, nor commits with no claim open (the ring would write before its own start).
    private void EndClaim(long claim)
    {
        if (claim == 0 || claim != _openClaim)
        {
            throw new InvalidOperationException("This claim was already committed or aborted.");
        }

        _openClaim = 0;
    }

    private void CheckLength(int length)
    {
        if ((uint)length > (uint)MaxMessageSize)
        {
            RingErrors.ThrowTooLarge(Name, length, MaxMessageSize);
        }
    }

    /// <summary>
    /// Whether the stream has ended for this writer: completed, or its producers closed to claims. An MPSC completion
    /// closes the claim counter first and records the completion just after (docs/format.md, "Completion"), so a
    /// closed counter with the completion still open is a completion under way, or one whose completer died between
    /// the two, or a peer that set the bit alone. No claim can pass it in any of those, so for a writer it is the end:
    /// taken for room, it made a claim retry at once, for ever, past its timeout and its token. A writer's end carries
    /// no reason, so it need not wait for the completion to be recorded; the reader does (see "Completion").
    /// </summary>
    private bool HasEnded() => _completion.IsCompleted || _ring.IsClosed;

    private ChannelClosedException ClosedError() => new($"Channel '{Name}' was completed; nothing more can be written to it.");

    private TimeoutException TimedOut(TimeSpan timeout) =>
        new($"Channel '{Name}' had no room within {timeout.TotalMilliseconds:0.###} ms: the reader is not keeping up, or has gone.");

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_gate.IsDisposed, this);

    private readonly struct RoomCondition(SharedChannelWriter writer, int length) : IWaitCondition
    {
        public bool IsSatisfied() => writer._gate.IsDisposed || writer.HasEnded() || writer._ring.HasSpaceFor(length);

        public void ReclaimFromDeadPeers() => writer._ring.ReclaimFromDeadPeers();

        public void OnParking() => writer._metrics.CountParkedWait();
    }
}
