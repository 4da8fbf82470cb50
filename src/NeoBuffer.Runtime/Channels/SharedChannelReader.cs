using System;
using System.Collections.Generic;
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
/// The consumer side of a shared-memory channel: leases each message in place (<see cref="TryRead(out ReadLease)"/>),
/// or copies small ones out. One reader per channel; not thread-safe.
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
    private readonly IRingConsumer _ring;
    private readonly ParticipantRole _role;
    private readonly ChannelCompletion _channelCompletion;
    private readonly int _spinCount;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly bool _isLossy;
    private readonly EndpointMetrics _metrics;
    private bool _disposed;
    private bool _disposeWhenLeaseEnds;
    private bool _leaseFoundOverwritten;

    internal unsafe SharedChannelReader(SharedSegment segment, SharedChannelOptions options)
    {
        _segment = segment;
        (_ring, _role) = RingAttachment.Consumer(segment, options);
        _channelCompletion = new ChannelCompletion(segment.Header);
        _spinCount = options.SpinCount;
        _isLossy = segment.Geometry.Topology == ChannelTopology.Broadcast && options.SubscriberMode == SubscriberMode.Lossy;
        _metrics = EndpointMetrics.ForReader(segment, _role, _ring, _isLossy);
        NeoBufferMeter.Track(_metrics); // last: a reader that failed to open is never reported
    }

    /// <summary>The channel's name.</summary>
    public string Name => _segment.Name;

    /// <summary>The largest message payload, in bytes, this channel accepts.</summary>
    public int MaxMessageSize => _segment.Geometry.MaxPayloadSize;

    /// <summary>The channel's topology.</summary>
    public ChannelTopology Topology => _segment.Geometry.Topology;

    /// <summary>
    /// Messages this reader lost: always 0 except for a <see cref="SubscriberMode.Lossy"/> broadcast subscriber, which
    /// counts every message the producer overwrote before it could read it.
    /// </summary>
    public long LostMessages => _ring.Lost;

    /// <summary>
    /// Completes when the writer has completed the channel and every message has been read; faults with a
    /// <see cref="ChannelClosedException"/> when the writer completed it with an error.
    /// </summary>
    public Task Completion => _completion.Task;

    /// <summary>
    /// Leases the next message in place, if one is committed. Read <see cref="ReadLease.Payload"/>, then dispose the
    /// lease to hand its space back to the writer.
    /// </summary>
    /// <exception cref="ChannelCorruptedException">The ring's shared state is impossible (a faulty or hostile peer).</exception>
    public unsafe bool TryRead(out ReadLease lease)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_ring.TryBeginRead(out byte* payload, out int length))
        {
            lease = new ReadLease(this, new ReadOnlySpan<byte>(payload, length));
            return true;
        }

        ObserveCompletion();
        lease = default;
        return false;
    }

    /// <summary>Copies the next message out as a <typeparamref name="T"/>, if one is committed.</summary>
    /// <exception cref="MessageFormatException">
    /// The message's length is not the size of <typeparamref name="T"/>. It is left unread: lease it with
    /// <see cref="TryRead(out ReadLease)"/> to inspect or skip it.
    /// </exception>
    public unsafe bool TryRead<T>(out T message) where T : unmanaged
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (_ring.TryBeginRead(out byte* payload, out int length))
        {
            if (length != sizeof(T))
            {
                _ring.AbandonRead();
                throw new MessageFormatException($"The next message in channel '{Name}' has {length} bytes, but {typeof(T).Name} has {sizeof(T)}. It was left unread.");
            }

            message = Unsafe.ReadUnaligned<T>(payload);
            bool intact = _ring.IsLeaseIntact();
            _ring.EndRead(); // a torn copy (lossy subscribers only) is counted as lost, and the next message tried
            if (intact)
            {
                _metrics.CountMessage(length);
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
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!RingWait.Block(new MessageCondition(this), _ring.WakeWord, _segment.Mapping, _spinCount, timeout, cancellationToken))
        {
            throw TimedOut(timeout);
        }

        return AfterWait();
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
        ObjectDisposedException.ThrowIf(_disposed, this);
        ValueTask<bool> wait = RingWait.WaitAsync(new MessageCondition(this), _ring.WakeWord, _segment.Mapping, _spinCount, timeout, cancellationToken);
        return wait.IsCompletedSuccessfully && wait.Result ? new ValueTask<bool>(AfterWait()) : AfterWaitAsync(wait, timeout);
    }

    private async ValueTask<bool> AfterWaitAsync(ValueTask<bool> wait, TimeSpan timeout)
    {
        if (!await wait.ConfigureAwait(false))
        {
            throw TimedOut(timeout);
        }

        return AfterWait();
    }

    /// <summary>
    /// Reads every message until the channel completes. Each item points into shared memory and is valid only until the
    /// enumeration moves on (the message is released then): copy what you keep.
    /// </summary>
    /// <exception cref="NotSupportedException">The reader is a lossy broadcast subscriber, whose messages may be overwritten while the caller reads them: use <see cref="TryRead(out ReadLease)"/> and <see cref="ReadLease.IsOverwritten"/>.</exception>
    public IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_isLossy)
        {
            throw new NotSupportedException(
                $"Channel '{Name}': a lossy subscriber's messages may be overwritten while they are read, which ReadAllAsync cannot report. " +
                "Read with TryRead(out ReadLease) and drop a message whose lease IsOverwritten.");
        }

        return ReadAllCoreAsync(cancellationToken);
    }

    private async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAllCoreAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var window = new MappedMemory();
        while (await WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (TryLeaseInto(window))
            {
                try
                {
                    yield return window.Memory;
                }
                finally
                {
                    int length = window.Length;
                    window.Clear();
                    EndLease(length);
                }
            }
        }
    }

    /// <summary>Detaches from the channel and unmaps it (once any open lease ends); the last participant out removes it.</summary>
    public unsafe void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        NeoBufferMeter.Untrack(_metrics); // first: once it returns, no collection reads this endpoint any more
        RingWait.WakeWord(_ring.WakeWord);
        if (_ring.HasOpenLease)
        {
            // The lease's bytes stay ours (role held, segment mapped) until it ends.
            _disposeWhenLeaseEnds = true;
            return;
        }

        Detach();
    }

    /// <summary>Whether the open lease is intact; one found torn is counted lost by the ring, so it is not counted read.</summary>
    internal bool IsLeaseIntact()
    {
        bool intact = _ring.IsLeaseIntact();
        _leaseFoundOverwritten |= !intact;
        return intact;
    }

    /// <summary>One wait on this reader slept on the futex (<see cref="ReaderSelection"/> counts its own).</summary>
    internal void CountParkedWait() => _metrics.CountParkedWait();

    /// <summary>Whether <see cref="WaitToRead(CancellationToken)"/> would return at once (a message, the end, or disposed).</summary>
    internal bool IsReadyToRead => new MessageCondition(this).IsSatisfied();

    internal nint WakeWord => _ring.WakeWord;

    internal void CheckPeers() => _ring.CheckPeers();

    internal SegmentMapping Mapping => _segment.Mapping;

    /// <summary>Ends the open lease of a message of <paramref name="length"/> payload bytes.</summary>
    internal void EndLease(int length)
    {
        if (_disposeWhenLeaseEnds)
        {
            _ring.AbandonRead();
            Detach();
            return;
        }

        _ring.EndRead();
        if (_leaseFoundOverwritten)
        {
            _leaseFoundOverwritten = false; // the ring counted it lost: counting it read too would count it twice
            return;
        }

        _metrics.CountMessage(length);
    }

    /// <summary>Ends the open lease without consuming its message: the next read returns it again.</summary>
    internal void AbandonLease()
    {
        _ring.AbandonRead();
        if (_disposeWhenLeaseEnds)
        {
            Detach();
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

    internal unsafe bool TryLeaseInto(MappedMemory window)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_ring.TryBeginRead(out byte* payload, out int length))
        {
            return false;
        }

        window.Set(payload, length);
        return true;
    }

    private bool AfterWait()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_ring.HasMessage())
        {
            return true;
        }

        ObserveCompletion();
        if (_channelCompletion.State == CompletionState.Faulted)
        {
            throw FaultError();
        }

        return false;
    }

    private void ObserveCompletion()
    {
        if (!_completion.Task.IsCompleted && IsDrainedAndCompleted())
        {
            if (_channelCompletion.State == CompletionState.Faulted)
            {
                _completion.TrySetException(FaultError());
            }
            else
            {
                _completion.TrySetResult();
            }
        }
    }

    // Completion is stored after every producer stopped claiming, so once it is seen, drained means finished.
    private bool IsDrainedAndCompleted() => _channelCompletion.IsCompleted && _ring.IsDrained();

    private ChannelClosedException FaultError() => new($"Channel '{Name}' was completed with an error: {_channelCompletion.Error()}");

    private TimeoutException TimedOut(TimeSpan timeout) =>
        new($"No message arrived on channel '{Name}' within {timeout.TotalMilliseconds:0.###} ms.");

    private readonly struct MessageCondition(SharedChannelReader reader) : IWaitCondition
    {
        public bool IsSatisfied() => reader._disposed || reader._ring.HasMessage() || reader.IsDrainedAndCompleted();

        public void CheckPeers() => reader._ring.CheckPeers();

        public void OnParking() => reader.CountParkedWait();
    }
}
