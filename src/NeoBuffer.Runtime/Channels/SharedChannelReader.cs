using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
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
/// The consumer side of a shared-memory channel. As everywhere in NeoBuffer, "Lease" reads a message in place and hands
/// its space back when the lease ends (<see cref="TryLease(out ReadLease)"/>, <see cref="LeaseAllAsync"/>); "Read" copies
/// it out and the copy is the caller's (<see cref="TryRead(out byte[])"/>, <see cref="TryRead{T}(out T)"/>,
/// <see cref="ReadAllAsync"/>). One reader per channel; not thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// Disposing the reader detaches it; messages it did not read stay in the ring for the next reader to attach.
/// </para>
/// <para>
/// While open, the reader reports its messages and payload bytes read, its waits that parked and, as a lossy
/// subscriber, <see cref="LostMessages"/> to the <c>NeoBuffer</c> meter (System.Diagnostics.Metrics), tagged with the
/// channel's name, topology and the role <c>reader</c> or <c>subscriber</c>; see README.md, "Metrics".
/// </para>
/// </remarks>
public sealed class SharedChannelReader : IDisposable
{
    private readonly SharedSegment _segment;
    private readonly RingConsumer _ring;
    private readonly BroadcastSubscriber? _subscriber; // Lost and IsLeaseIntact are a broadcast subscriber's only
    private readonly ParticipantRole _role;
    private readonly ChannelCompletion _channelCompletion;
    private readonly int _spinCount;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly bool _isLossy;
    private readonly EndpointMetrics _metrics;
    private DetachGate _gate;
    private bool _disposeWhenLeaseEnds;
    private int _completionWatched;
    private bool _leaseFoundOverwritten;
    private long _leaseNumber;

    internal unsafe SharedChannelReader(SharedSegment segment, SharedChannelOptions options)
    {
        _segment = segment;
        (_ring, _role) = RingAttachment.Consumer(segment, options);
        _subscriber = _ring as BroadcastSubscriber;
        _channelCompletion = new ChannelCompletion(segment.Header);
        _spinCount = options.SpinCount;
        _isLossy = segment.Geometry.Topology == ChannelTopology.Broadcast && options.SubscriberMode == SubscriberMode.Lossy;
        _metrics = EndpointMetrics.ForReader(segment, _role, _ring, _isLossy);
        NeoBufferMeter.Track(_metrics); // last: a reader that failed to open is never reported
    }

    /// <summary>The channel's name.</summary>
    public string Name => _segment.Name;

    /// <summary>The directory of the channel's segment file: where another process (a process function's child) opens it.</summary>
    internal string SegmentDirectory => System.IO.Path.GetDirectoryName(_segment.Path)!;

    /// <summary>The largest message payload, in bytes, this channel accepts.</summary>
    public int MaxMessageSize => _segment.Geometry.MaxPayloadSize;

    /// <summary>The channel's topology.</summary>
    public ChannelTopology Topology => _segment.Geometry.Topology;

    /// <summary>
    /// Messages this reader lost: always 0 except for a <see cref="SubscriberMode.Lossy"/> broadcast subscriber, which
    /// counts every message the producer overwrote before it could read it.
    /// </summary>
    public long LostMessages => _subscriber?.Lost ?? 0;

    /// <summary>
    /// Completes when the writer has completed the channel and every message has been read, on its own: no read call
    /// needs to notice the end (an empty channel whose writer completes completes it at once). Faults with a
    /// <see cref="ChannelClosedException"/> when the writer completed the channel with an error or died (SPSC and
    /// broadcast: the single writer), again once every message it committed has been read; faults with an
    /// <see cref="ObjectDisposedException"/> when this reader is disposed first.
    /// </summary>
    /// <remarks>
    /// The first time it is read, it starts a watch on the process's futex waiter thread (no thread of its own), which
    /// looks only at published shared state and checks the writer's liveness every 100 ms; the reading thread finishes
    /// it itself as it reads the last message. A message the reader leaves unread keeps it pending, as in
    /// System.Threading.Channels.
    /// </remarks>
    public unsafe Task Completion
    {
        get
        {
            if (!_completion.Task.IsCompleted && Volatile.Read(ref _completionWatched) == 0 && Interlocked.Exchange(ref _completionWatched, 1) == 0)
            {
                CompletionWatch.Start(this, _segment, _role.Row);
            }

            return _completion.Task;
        }
    }

    /// <summary>
    /// Leases the next message in place, if one is committed. Read <see cref="ReadLease.Payload"/>, then dispose the
    /// lease to hand its space back to the writer.
    /// </summary>
    /// <exception cref="ChannelCorruptedException">The ring's shared state is impossible (a faulty or hostile peer).</exception>
    public unsafe bool TryLease(out ReadLease lease)
    {
        ObjectDisposedException.ThrowIf(_gate.IsDisposed, this);
        if (_ring.TryBeginRead(out byte* payload, out int length))
        {
            lease = new ReadLease(this, new ReadOnlySpan<byte>(payload, length));
            return true;
        }

        ObserveCompletion();
        lease = default;
        return false;
    }

    /// <summary>
    /// Reads the committed messages in place, up to <paramref name="maxMessages"/>, handing each to
    /// <paramref name="handler"/>, and hands their space back together: the writer's side of the ring is touched once
    /// per batch instead of once per message. Returns how many messages were read (0 when none is committed now).
    /// </summary>
    /// <remarks>
    /// <para>
    /// The space goes back when the call returns, within a long batch at least every 16 KiB read (a quarter of a
    /// smaller ring), and as soon as a message's handler returns while a writer is parked waiting for room. A writer
    /// that parks while a handler runs is seen only when that handler returns: a handler must not wait for the writer
    /// (a reply, a rendezvous) without ending the batch first (return false), or it may hold the writer parked. Each
    /// message's payload is valid during its <see cref="IReadBatchHandler.OnMessage"/> call. A message whose handler
    /// throws counts as read, and the batch ends there (the exception propagates after the space is handed back).
    /// Disposing the reader, from the handler or another thread, ends the batch after that message, which is then
    /// left unread for the next reader when the handler disposed it; the reader detaches when the batch returns.
    /// <see cref="Completion"/> is settled only after the batch has handed its space back.
    /// </para>
    /// <para>
    /// A reader process that dies inside a batch had not yet handed back what it read since the batch last did: the
    /// next reader of the channel receives those messages again (up to 16 KiB, or a quarter of a smaller ring, plus
    /// one message), as a reader that dies inside a lease leaves that message for the next one.
    /// </para>
    /// <para>
    /// With a struct handler the loop is specialised and nothing is allocated per message. Wait for messages with
    /// <see cref="WaitToRead(CancellationToken)"/> or <see cref="WaitToReadAsync(CancellationToken)"/> between
    /// batches, as with <see cref="TryLease(out ReadLease)"/>.
    /// </para>
    /// </remarks>
    /// <param name="handler">Called for each message, in order; passed by reference, so a struct handler keeps its state.</param>
    /// <param name="maxMessages">The most messages this batch reads (at least 1).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxMessages"/> is less than 1.</exception>
    /// <exception cref="ChannelCorruptedException">The ring's shared state is impossible (a faulty or hostile peer).</exception>
    public unsafe int TryReadBatch<THandler>(ref THandler handler, int maxMessages = int.MaxValue)
        where THandler : IReadBatchHandler, allows ref struct
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);

        // Counted as a wait: between two leases the batch still holds consumed space it has not handed back, and a
        // Dispose on another thread (after awaiting Completion, say) must not unmap the ring under EndBatch. The last
        // one out (this batch, or Dispose when no batch is open) detaches.
        EnterWait();
        int count = 0;
        try
        {
            _ring.BeginBatch();
            try
            {
                while (count < maxMessages && _ring.TryBeginRead(out byte* payload, out int length))
                {
                    count++;
                    bool goOn;
                    try
                    {
                        goOn = handler.OnMessage(new BatchMessage(this, new ReadOnlySpan<byte>(payload, length)));
                    }
                    finally
                    {
                        ConsumeLease(length); // a reader disposed meanwhile leaves this message unread and hands the batch back
                    }

                    if (!goOn || _gate.IsDisposed)
                    {
                        break;
                    }
                }
            }
            finally
            {
                _ring.EndBatch(); // the ring is still mapped: this batch counts as a wait until below
            }

            // Only now, with the batch's space handed back: Completion settled earlier would let its awaiter dispose
            // the reader, or a new reader attach, while this one still holds records it read.
            if (!_gate.IsDisposed)
            {
                ObserveCompletion();
            }
        }
        finally
        {
            ExitWait();
        }

        return count;
    }

    /// <summary>
    /// Copies the next message out into a new array, if one is committed. A lossy subscriber's copy that the producer
    /// overwrote while it was taken is counted in <see cref="LostMessages"/> and the next message tried.
    /// </summary>
    /// <exception cref="ChannelCorruptedException">The ring's shared state is impossible (a faulty or hostile peer).</exception>
    public unsafe bool TryRead([NotNullWhen(true)] out byte[]? message)
    {
        ObjectDisposedException.ThrowIf(_gate.IsDisposed, this);
        while (_ring.TryBeginRead(out byte* payload, out int length))
        {
            byte[] copy = new ReadOnlySpan<byte>(payload, length).ToArray();
            if (EndCopy(length))
            {
                message = copy;
                return true;
            }
        }

        ObserveCompletion();
        message = null;
        return false;
    }

    /// <summary>Copies the next message out as a <typeparamref name="T"/>, if one is committed.</summary>
    /// <exception cref="MessageFormatException">
    /// The message's length is not the size of <typeparamref name="T"/>. It is left unread: lease it with
    /// <see cref="TryLease(out ReadLease)"/> to inspect or skip it.
    /// </exception>
    public unsafe bool TryRead<T>(out T message) where T : unmanaged
    {
        ObjectDisposedException.ThrowIf(_gate.IsDisposed, this);
        while (_ring.TryBeginRead(out byte* payload, out int length))
        {
            if (length != sizeof(T))
            {
                _ring.AbandonRead();
                throw new MessageFormatException($"The next message in channel '{Name}' has {length} bytes, but {typeof(T).Name} has {sizeof(T)}. It was left unread.");
            }

            message = Unsafe.ReadUnaligned<T>(payload);
            if (EndCopy(length))
            {
                return true;
            }
        }

        ObserveCompletion();
        message = default;
        return false;
    }

    /// <summary>Waits until a message can be read. Returns true when one can, false when the channel completed and is drained.</summary>
    /// <exception cref="ChannelClosedException">The writer completed the channel with an error (after every message was read).</exception>
    public bool WaitToRead(CancellationToken cancellationToken = default) => WaitToRead(Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>
    /// Waits up to <paramref name="timeout"/> until a message can be read. Returns true when one can, false when the
    /// channel completed and is drained.
    /// </summary>
    /// <exception cref="TimeoutException">No message arrived within <paramref name="timeout"/>.</exception>
    /// <exception cref="ChannelClosedException">The writer completed the channel with an error (after every message was read).</exception>
    public bool WaitToRead(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        EnterWait();
        try
        {
            if (!RingWait.Block(new MessageCondition(this), _ring.WakeWord, _segment.Mapping, _spinCount, timeout, cancellationToken))
            {
                throw TimedOut(timeout);
            }

            return AfterWait();
        }
        finally
        {
            ExitWait();
        }
    }

    /// <summary>
    /// Blocks the calling thread, with no spinning (the caller has spun already), until a message can be read or
    /// <paramref name="also"/> holds; false when <paramref name="deadlineNs"/> (CLOCK_MONOTONIC) passed first. Whoever
    /// makes <paramref name="also"/> hold wakes this reader's word (<see cref="WakeWord"/>) after doing so.
    /// </summary>
    /// <exception cref="ChannelClosedException">The channel completed (with or without an error) and every message was read.</exception>
    internal bool WaitToReadOr<TAlso>(TAlso also, long deadlineNs, CancellationToken cancellationToken)
        where TAlso : IWaitCondition
    {
        EnterWait();
        bool added = false;
        _segment.Mapping.DangerousAddRef(ref added);
        try
        {
            var words = new WakeWords(_ring.WakeWord);
            if (!RingWait.Block(new EitherCondition<MessageCondition, TAlso>(new MessageCondition(this), also), ref words, 0, deadlineNs, cancellationToken))
            {
                return false;
            }

            if (also.IsSatisfied() || AfterWait())
            {
                return true;
            }

            throw new ChannelClosedException($"Channel '{Name}' was completed, and every message was read.");
        }
        finally
        {
            _segment.Mapping.DangerousRelease();
            ExitWait();
        }
    }

    /// <summary>
    /// Waits asynchronously until a message can be read; no thread blocks meanwhile. Completes with true when one can,
    /// false when the channel completed and is drained.
    /// </summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) =>
        WaitToReadAsync(Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>
    /// Waits asynchronously up to <paramref name="timeout"/> until a message can be read. Completes with true when one
    /// can, false when the channel completed and is drained.
    /// </summary>
    /// <exception cref="TimeoutException">No message arrived within <paramref name="timeout"/>.</exception>
    public ValueTask<bool> WaitToReadAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        EnterWait();
        bool handedOver = false;
        try
        {
            ValueTask<bool> wait = RingWait.WaitAsync(new MessageCondition(this), _ring.WakeWord, _segment.Mapping, _spinCount, timeout, cancellationToken);
            if (wait.IsCompletedSuccessfully && wait.Result)
            {
                return new ValueTask<bool>(AfterWait());
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

    /// <summary>
    /// Parks at once (no spin: the caller has spun already) until a message can be read, as
    /// <see cref="WaitToReadAsync(CancellationToken)"/>, and continues the caller on the futex waiter thread that saw
    /// the wake, with no thread-pool hop: for a caller whose continuation is short and never blocks.
    /// </summary>
    internal ValueTask<bool> ParkToReadOnWaiterThreadAsync(CancellationToken cancellationToken)
    {
        EnterWait();
        bool added = false;
        bool handedOver = false;
        try
        {
            _segment.Mapping.DangerousAddRef(ref added);
            ValueTask<bool> wait = RingWait.ParkAsync(new MessageCondition(this), new WakeWords(_ring.WakeWord), RingWait.DeadlineOf(Timeout.InfiniteTimeSpan), cancellationToken, _segment.Mapping, continueOnWaiterThread: true);
            handedOver = true;
            return AfterWaitAsync(wait, Timeout.InfiniteTimeSpan);
        }
        finally
        {
            if (!handedOver)
            {
                if (added)
                {
                    _segment.Mapping.DangerousRelease();
                }

                ExitWait();
            }
        }
    }

    /// <summary>
    /// Waits asynchronously, as <see cref="WaitToReadAsync(TimeSpan, CancellationToken)"/>, until a message can be read
    /// or <paramref name="also"/> holds; true as soon as either does. Whoever makes <paramref name="also"/> hold wakes
    /// this reader's word (<see cref="WakeWord"/>) after doing so (docs/format.md, "Request/response": a server waits
    /// for its clients' request rings this way).
    /// </summary>
    /// <param name="also">The caller's condition.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    /// <param name="spin">False for a caller that has just spun on the same conditions itself: the wait parks at once.</param>
    /// <exception cref="TimeoutException">Neither held within <paramref name="timeout"/>.</exception>
    internal ValueTask<bool> WaitToReadOrAsync<TAlso>(TAlso also, TimeSpan timeout, CancellationToken cancellationToken, bool spin = true)
        where TAlso : IWaitCondition
    {
        EnterWait();
        bool handedOver = false;
        try
        {
            ValueTask<bool> wait = RingWait.WaitAsync(new EitherCondition<MessageCondition, TAlso>(new MessageCondition(this), also), _ring.WakeWord, _segment.Mapping, spin ? _spinCount : 0, timeout, cancellationToken);
            if (wait.IsCompletedSuccessfully && wait.Result)
            {
                return new ValueTask<bool>(AfterWaitOr(also));
            }

            handedOver = true;
            return AfterWaitOrAsync(wait, also, timeout);
        }
        finally
        {
            if (!handedOver)
            {
                ExitWait();
            }
        }
    }

    // As AfterWaitAsync, for a wait with a condition of the caller's.
    private async ValueTask<bool> AfterWaitOrAsync<TAlso>(ValueTask<bool> wait, TAlso also, TimeSpan timeout)
        where TAlso : IWaitCondition
    {
        try
        {
            if (!await wait.ConfigureAwait(false))
            {
                throw TimedOut(timeout);
            }

            return AfterWaitOr(also);
        }
        finally
        {
            ExitWait();
        }
    }

    // False only when this channel is completed and drained. Either condition may have held when the wait ended and no
    // longer does (another party's record taken back, say): that is a wake with nothing to read, not the end.
    private bool AfterWaitOr<TAlso>(TAlso also)
        where TAlso : IWaitCondition
    {
        if (also.IsSatisfied() || AfterWait())
        {
            return true;
        }

        return !IsDrainedAndCompleted();
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

            return AfterWait();
        }
        finally
        {
            ExitWait();
        }
    }

    /// <summary>
    /// Copies out every message until the channel completes, as <see cref="TryRead(out byte[])"/> does: each item is an
    /// array of its own, which the caller may keep (the message's space is handed back before the item is yielded). To
    /// read in place without copying, use <see cref="LeaseAllAsync"/>.
    /// </summary>
    /// <exception cref="ChannelClosedException">The writer completed the channel with an error (after every message was read).</exception>
    public IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_gate.IsDisposed, this);
        return ReadAllCoreAsync(cancellationToken);
    }

    private async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAllCoreAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (TryRead(out byte[]? message))
            {
                yield return message;
            }
        }
    }

    /// <summary>
    /// Leases every message in place until the channel completes, without copying. Each item is leased until the
    /// enumeration moves on (or ends): read it in the loop's body, and copy what you keep; its
    /// <see cref="LeasedMessage.Payload"/> throws once the lease has ended, so it never shows bytes the writer reuses.
    /// A lossy subscriber checks <see cref="LeasedMessage.IsOverwritten"/> after reading each.
    /// </summary>
    /// <exception cref="ChannelClosedException">The writer completed the channel with an error (after every message was read).</exception>
    public IAsyncEnumerable<LeasedMessage> LeaseAllAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_gate.IsDisposed, this);
        return LeaseAllCoreAsync(cancellationToken);
    }

    private async IAsyncEnumerable<LeasedMessage> LeaseAllCoreAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (TryBeginLease(out LeasedMessage message))
            {
                try
                {
                    yield return message;
                }
                finally
                {
                    EndLease(message.Length); // also when the consumer breaks out of the loop or throws
                }
            }
        }
    }

    private unsafe bool TryBeginLease(out LeasedMessage message)
    {
        ObjectDisposedException.ThrowIf(_gate.IsDisposed, this);
        if (_ring.TryBeginRead(out byte* payload, out int length))
        {
            message = new LeasedMessage(this, payload, length, _leaseNumber);
            return true;
        }

        ObserveCompletion();
        message = default;
        return false;
    }

    /// <summary>Numbers the leases: counted up as each ends, so a <see cref="LeasedMessage"/> knows when it is stale.</summary>
    internal long LeaseNumber => _leaseNumber;

    /// <summary>
    /// This reader as a <see cref="ChannelReader{T}"/> of byte messages, for code written against
    /// System.Threading.Channels: each read copies the message into an array of its own, as
    /// <see cref="TryRead(out byte[])"/> does. It reads through this endpoint (one consumer at a time, not thread-safe,
    /// like the endpoint), and its <see cref="ChannelReader{T}.Completion"/> is <see cref="Completion"/>.
    /// </summary>
    public ChannelReader<ReadOnlyMemory<byte>> AsChannelReader()
    {
        ObjectDisposedException.ThrowIf(_gate.IsDisposed, this);
        return new CopyingByteChannelReader(this);
    }

    /// <summary>
    /// Detaches from the channel and unmaps it (once any open lease ends, and any wait on another thread has returned:
    /// such a wait is woken and ends with <see cref="ObjectDisposedException"/>); the last participant out removes it.
    /// </summary>
    public unsafe void Dispose()
    {
        if (!_gate.TryDispose())
        {
            return;
        }

        NeoBufferMeter.Untrack(_metrics); // first: once it returns, no collection reads this endpoint any more
        if (_completionWatched != 0)
        {
            FaultCompletionDisposed(); // its awaiters would otherwise wait forever (the watch, woken below, ends too)
        }

        RingWait.WakeWord(_ring.WakeWord);
        if (_ring.HasOpenLease)
        {
            // The lease's bytes stay ours (role held, segment mapped) until it ends.
            _disposeWhenLeaseEnds = true;
            return;
        }

        DetachUnlessWaiting();
    }

    /// <summary>Whether the open lease is intact; one found torn is counted lost by the ring, so it is not counted read.</summary>
    internal bool IsLeaseIntact()
    {
        bool intact = _subscriber is null || _subscriber.IsLeaseIntact();
        _leaseFoundOverwritten |= !intact;
        return intact;
    }

    /// <summary>One wait on this reader slept on the futex (<see cref="ReaderSelection"/> counts its own).</summary>
    internal void CountParkedWait() => _metrics.CountParkedWait();

    /// <summary>Whether <see cref="WaitToRead(CancellationToken)"/> would return at once (a message, the end, or disposed).</summary>
    internal bool IsReadyToRead => new MessageCondition(this).IsSatisfied();

    /// <summary>Whether a message is committed at this reader's position (an acquire load of one record header).</summary>
    internal bool HasMessage => _ring.HasMessage();

    internal nint WakeWord => _ring.WakeWord;

    internal void ReclaimFromDeadPeers() => _ring.ReclaimFromDeadPeers();

    internal SegmentMapping Mapping => _segment.Mapping;

    /// <summary>The segment, for the companions built on this reader (handle passing).</summary>
    internal SharedSegment Segment => _segment;

    /// <summary>Ends the open lease of a message of <paramref name="length"/> payload bytes.</summary>
    internal void EndLease(int length)
    {
        if (ConsumeLease(length))
        {
            ObserveCompletionIfWatched();
        }
    }

    /// <summary>
    /// Ends the open lease and consumes its message without looking at <see cref="Completion"/> (a batch looks once
    /// its space is handed back); false when the reader was disposed meanwhile, which left the message unread.
    /// </summary>
    private bool ConsumeLease(int length)
    {
        _leaseNumber++;
        if (_disposeWhenLeaseEnds)
        {
            _ring.AbandonRead();
            _ring.EndBatch(); // what a batch read before this lease is handed back while the ring is still ours
            Interlocked.MemoryBarrier(); // the lease's end before the gate's load of the wait count (see ExitWait)
            DetachUnlessWaiting();
            return false;
        }

        _ring.EndRead();
        if (_leaseFoundOverwritten)
        {
            _leaseFoundOverwritten = false; // the ring counted it lost: counting it read too would count it twice
            return true;
        }

        _metrics.CountMessage(length);
        return true;
    }

    /// <summary>Whether <see cref="Dispose"/> was called (read by the completion watch on the futex waiter thread).</summary>
    internal bool IsDisposed => _gate.IsDisposed;

    /// <summary>Settles <see cref="Completion"/> from the completion word, once the watch found the stream ended and drained.</summary>
    internal void FinishCompletion()
    {
        if (_channelCompletion.IsFaulted)
        {
            _completion.TrySetException(FaultError());
        }
        else
        {
            _completion.TrySetResult();
        }
    }

    /// <summary>The watch itself failed (a liveness check that could not be made): <see cref="Completion"/> reports why.</summary>
    internal void FaultCompletion(Exception error) => _completion.TrySetException(error);

    internal void FaultCompletionDisposed() =>
        _completion.TrySetException(new ObjectDisposedException(GetType().FullName, $"The reader of channel '{Name}' was disposed before the channel completed."));

    // The watch is not woken by reads, so the reading thread settles Completion itself as it reads the last message;
    // one plain load when nobody observed Completion.
    private void ObserveCompletionIfWatched()
    {
        if (_completionWatched != 0)
        {
            ObserveCompletion();
        }
    }

    /// <summary>
    /// Counts a wait (blocking, async, or a selection over this reader) in flight. A wait's condition and peer check run
    /// the consumer's protocol, which writes the ring (MPSC zeroing, padding skips, a dead peer's recovery): the role
    /// and the segment stay this reader's until the last such wait has returned, even when another thread disposes it
    /// meanwhile, or a new reader could attach and write the same ring at once.
    /// </summary>
    internal void EnterWait()
    {
        if (!_gate.TryEnterWait())
        {
            ExitWait();
            ObjectDisposedException.ThrowIf(true, this);
        }
    }

    /// <summary>Ends a wait counted by <see cref="EnterWait"/>; the last one out of a disposed reader detaches it.</summary>
    internal void ExitWait()
    {
        if (_gate.ExitWait() && !_ring.HasOpenLease)
        {
            DetachOnce();
        }
    }

    private void DetachUnlessWaiting()
    {
        if (_gate.HasNoWaits)
        {
            DetachOnce();
        }
    }

    // Dispose, a lease's end and the last wait's end may each find the reader ready to detach: it detaches once.
    private void DetachOnce()
    {
        if (_gate.TryDetach())
        {
            Detach();
        }
    }

    /// <summary>Ends the open lease without consuming its message: the next read returns it again.</summary>
    internal void AbandonLease()
    {
        _leaseNumber++;
        _ring.AbandonRead();
        if (_disposeWhenLeaseEnds)
        {
            Interlocked.MemoryBarrier(); // the lease's end before the gate's load of the wait count (see ExitWait)
            DetachUnlessWaiting();
        }
    }

    /// <summary>Whether this reader is a lossy broadcast subscriber, whose leases may be overwritten while held.</summary>
    internal bool IsLossy => _isLossy;

    private unsafe void Detach()
    {
        _role.Release();
        // A writer waiting for this reader (SPSC, MPSC, or a tethered subscriber) re-checks.
        RingWait.WakeWord((nint)(&_segment.Header->WriterWake));
        _segment.Dispose();
    }

    /// <summary>The channel position of the leased message (or of the next one, between leases).</summary>
    internal long Position => _ring.Position;

    internal unsafe bool TryLeaseInto(MappedMemory window)
    {
        ObjectDisposedException.ThrowIf(_gate.IsDisposed, this);
        if (!_ring.TryBeginRead(out byte* payload, out int length))
        {
            return false;
        }

        window.Set(payload, length);
        return true;
    }

    // Ends a read that copied the message out. A torn copy (lossy subscribers only) is counted lost by the ring: false.
    private bool EndCopy(int length)
    {
        bool intact = _subscriber is null || _subscriber.IsLeaseIntact();
        _ring.EndRead(); // a torn copy (lossy subscribers only) is counted as lost, and the next message tried
        if (intact)
        {
            _metrics.CountMessage(length);
            ObserveCompletionIfWatched();
        }

        return intact;
    }

    private bool AfterWait()
    {
        ObjectDisposedException.ThrowIf(_gate.IsDisposed, this);
        if (_ring.HasMessage())
        {
            return true;
        }

        ObserveCompletion();
        if (_channelCompletion.IsFaulted)
        {
            throw FaultError();
        }

        return false;
    }

    private void ObserveCompletion()
    {
        if (!_completion.Task.IsCompleted && IsDrainedAndCompleted())
        {
            FinishCompletion();
        }
    }

    // Completion is stored after every producer stopped claiming, so once it is seen, drained means finished.
    private bool IsDrainedAndCompleted() => _channelCompletion.IsCompleted && _ring.IsDrained();

    private ChannelClosedException FaultError() => new($"Channel '{Name}' was completed with an error: {_channelCompletion.Error()}");

    private TimeoutException TimedOut(TimeSpan timeout) =>
        new($"No message arrived on channel '{Name}' within {timeout.TotalMilliseconds:0.###} ms.");

    private readonly struct MessageCondition(SharedChannelReader reader) : IWaitCondition
    {
        public bool IsSatisfied() => reader._gate.IsDisposed || reader._ring.HasMessage() || reader.IsDrainedAndCompleted();

        public void ReclaimFromDeadPeers() => reader._ring.ReclaimFromDeadPeers();

        public void OnParking() => reader.CountParkedWait();
    }
}
