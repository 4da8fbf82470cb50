using System;
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Sources;
using NeoBuffer.Interop;

namespace NeoBuffer.Requests;

/// <summary>
/// One in-flight request of a client, and the awaitable its caller gets: a pooled slot, reused request after request
/// (no allocation per request). Its response arrives on whichever thread reads the client's response ring, in any
/// order with the others'; the slot is found by the correlation id, whose low bits are the slot's index.
/// </summary>
/// <remarks>
/// <para>
/// <b>Exactly one resolution per use.</b> <see cref="_word"/> holds the id of the request the slot serves while it
/// waits. The response, a timeout, a cancellation and a failure of the whole client each resolve it only by a CAS of
/// that id to <see cref="Resolved"/>, so exactly one wins, and one aimed at an earlier use (a late response to a
/// request that timed out, a timer that fired as the slot was recycled) finds another id and does nothing. Ids never
/// repeat (a 44-bit sequence above the index), so a recycled slot cannot be mistaken for its previous use.
/// </para>
/// <para>
/// <b>Parking.</b> A caller that stops spinning counts itself in its client's parked count and marks the slot parked
/// (<see cref="_park"/>: 0 neither, 1 parked, 2 uncounted), then looks at the id; a resolver, after its CAS of the id,
/// looks at the mark. Each side makes its write (the mark's CAS, the id's CAS) before its look, both full fences, so
/// at least one side sees the other's: a resolver that finds the slot marked, and a caller that finds its id resolved,
/// each try to uncount it by exchanging the mark for 2, and only the exchange that finds 1 decrements the parked
/// count. So it is decremented exactly once, and a resolver that finds no mark (the caller still spinning, which is
/// nearly every request) makes no interlocked operation for it. The client keeps a reader on the ring while that count
/// is above zero.
/// </para>
/// </remarks>
internal sealed class PendingRequest<TResponse> : IValueTaskSource<TResponse>, IValueTaskSource<ResponseLease<TResponse>>
    where TResponse : unmanaged, IChannelMessage<TResponse>
{
    public const long Resolved = -1;

    private readonly IPendingOwner _owner;
    private ManualResetValueTaskSourceCore<int> _core = new() { RunContinuationsAsynchronously = true };
    private long _word;
    private int _park;
    private byte[] _buffer = [];
    private int _length;
    private Timer? _timer;
    private long _deadlineNs;
    private long _timedId;
    private TimeSpan _timeout;
    private CancellationTokenRegistration _cancellation;

    // The continuation of an await under a context, and that context (OnCompleted): posted to from the thread pool.
    private static readonly Action<object?> s_postToCapturedContext = PostToCapturedContext;
    private static readonly SendOrPostCallback s_runContinuation = RunContinuation;
    private Action<object?>? _continuation;
    private object? _continuationState;
    private object? _context;

    public PendingRequest(IPendingOwner owner, int index)
    {
        _owner = owner;
        Index = index;
    }

    public int Index { get; }

    public short Version => _core.Version;

    /// <summary>Whether the response (or a failure) arrived.</summary>
    public bool IsResolved => _core.GetStatus(_core.Version) != ValueTaskSourceStatus.Pending;

    /// <summary>Starts a use of the slot for request <paramref name="id"/>.</summary>
    public void Begin(long id)
    {
        // A use without a timeout never rewrites the deadline or the timed id: clear the earlier use's, so a timer it
        // left armed finds nothing to fail when it fires.
        Volatile.Write(ref _timedId, 0);
        Volatile.Write(ref _deadlineNs, long.MaxValue);
        // A plain store: the client's check of its fault that follows is ordered against it by the process-wide
        // barrier FailAll makes before it scans the slots (SharedClient.Begin).
        Volatile.Write(ref _word, id);
    }

    /// <summary>The id of the request the slot serves now (0 when free, <see cref="Resolved"/> once answered).</summary>
    public long Id => Volatile.Read(ref _word);

    /// <summary>Delivers the response to request <paramref name="id"/>; false when the slot no longer waits for it.</summary>
    public bool TryRespond(long id, int status, ReadOnlySpan<byte> body)
    {
        // An id is positive; Resolved (-1) names no request, and a CAS from it would "win" a request already won.
        if (id <= 0 || Interlocked.CompareExchange(ref _word, Resolved, id) != id)
        {
            return false;
        }

        Ring.ProtocolPoint.Reached(Ring.ProtocolPoint.RequestResolving);

        if (_buffer.Length < body.Length)
        {
            ReturnBuffer();
            _buffer = _owner.Spare.Take(body.Length);
        }

        body.CopyTo(_buffer);
        _length = body.Length;
        AfterResolved();
        _core.SetResult(status);
        _owner.Answered();
        return true;
    }

    /// <summary>Fails request <paramref name="id"/> (a timeout, a cancellation, a dead server); false when it was resolved already.</summary>
    public bool TryFail(long id, Exception error)
    {
        if (id <= 0 || Interlocked.CompareExchange(ref _word, Resolved, id) != id)
        {
            return false;
        }

        Ring.ProtocolPoint.Reached(Ring.ProtocolPoint.RequestResolving);

        AfterResolved();
        _core.SetException(error);
        _owner.Answered();
        return true;
    }

    /// <summary>
    /// Resets the slot after its request <paramref name="id"/> was begun but never sent (the commit of its record threw,
    /// <paramref name="error"/>): nobody will await it. Its index stays with the failed send, which gives it back to
    /// the free slots as every failed send does.
    /// </summary>
    public void Abandon(long id, Exception error)
    {
        // Begin published the id, so a failure of the whole client may resolve it first: whichever CAS wins resolves it,
        // and the slot is reset only once that resolver has set its result (it does so right after its CAS).
        TryFail(id, error);
        WaitUntilResolved();
        Recycle(giveBack: false);
    }

    /// <summary>
    /// Waits the moment between a resolver's CAS of the id, which no other resolution can follow, and the result it
    /// sets right after: for a caller that saw the id resolved (or lost the race to resolve it) and must read or reset
    /// the slot.
    /// </summary>
    public void WaitUntilResolved()
    {
        var spin = new SpinWait();
        while (!IsResolved)
        {
            spin.SpinOnce();
        }
    }

    /// <summary>Fails request <paramref name="id"/> with the timeout's error; false when it was resolved already.</summary>
    public bool TryTimeOut(long id, TimeSpan timeout) =>
        TryFail(id, new TimeoutException($"The server '{_owner.Name}' did not answer the request within {timeout.TotalMilliseconds:0.###} ms. A response that comes later is dropped."));

    /// <summary>
    /// The caller stops spinning: arms the timeout and the cancellation and counts itself parked (uncounted again at
    /// once when the slot was resolved first). The <paramref name="timeout"/> began before the caller spun: the request
    /// times out at <paramref name="deadlineNs"/> (CLOCK_MONOTONIC), what is left of it after the spin.
    /// </summary>
    public void Park(long id, TimeSpan timeout, long deadlineNs, CancellationToken cancellationToken)
    {
        // Armed only while the slot still waits for this request: one answered while its caller spun needs no timer.
        // Should it be answered between this check and the arming, the timer fires for an id that is no longer the
        // slot's and does nothing. The deadline is published before the id, and the timer reads the id first.
        if (timeout != Timeout.InfiniteTimeSpan && Id == id)
        {
            _timeout = timeout;
            Volatile.Write(ref _deadlineNs, deadlineNs);
            Volatile.Write(ref _timedId, id);
            _timer ??= new Timer(static state => ((PendingRequest<TResponse>)state!).OnTimer(), this, Timeout.Infinite, Timeout.Infinite);
            _timer.Change(DueIn(deadlineNs - MonotonicClock.NowNs), Timeout.InfiniteTimeSpan);
        }

        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.UnsafeRegister(static (state, token) =>
            {
                var slot = (PendingRequest<TResponse>)state!;
                long current = slot.Id;
                if (current > 0)
                {
                    slot.TryFail(current, new OperationCanceledException(token));
                }
            }, this);
        }

        // The mark, then (its exchange a full fence) the look at the id. Nobody else writes the mark before it: a
        // resolver writes it only once it has seen it set.
        _owner.ParkedChanged(+1);
        Interlocked.Exchange(ref _park, 1);
        if (Id != id && Interlocked.Exchange(ref _park, 2) == 1)
        {
            _owner.ParkedChanged(-1); // resolved while we armed, and the resolver did not take us out of the count
        }

        if (cancellationToken.IsCancellationRequested)
        {
            TryFail(id, new OperationCanceledException(cancellationToken));
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    /// <remarks>
    /// A continuation never runs on the thread that resolves the request: that thread may hold the client's response
    /// ring (a drain: the reader loop, a spinning or blocking caller) or be the futex waiter thread, and caller code run
    /// there could wait for itself (a blocking request, a Dispose, both waiting for the ring its own stack holds) or hold
    /// up every async wait of the process. Without a captured context the core queues it to the thread pool
    /// (RunContinuationsAsynchronously). With one, the core would call the context's Post (or the scheduler's QueueTask)
    /// on the resolving thread itself, and a context may run the callback right there: so the context is captured here
    /// instead, and posted to from a thread-pool thread (<see cref="PostToCapturedContext"/>). The cost, one pool hop
    /// before the Post, falls only on awaits under a context, which pay a hop to that context anyway; the common await
    /// (none captured, or ConfigureAwait(false)) goes through the core unchanged, with nothing allocated.
    /// </remarks>
    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
    {
        object? context = (flags & ValueTaskSourceOnCompletedFlags.UseSchedulingContext) != 0 ? CapturedContext() : null;
        if (context is null)
        {
            _core.OnCompleted(continuation, state, token, flags & ~ValueTaskSourceOnCompletedFlags.UseSchedulingContext); // none to capture: no second look
            return;
        }

        // Read back only by the pool work item the core queues once the request is resolved, which comes after this
        // (the core publishes its continuation with an interlocked exchange); the slot is recycled only by the
        // GetResult the continuation itself calls.
        _continuation = continuation;
        _continuationState = state;
        _context = context;
        _core.OnCompleted(s_postToCapturedContext, this, token, flags & ~ValueTaskSourceOnCompletedFlags.UseSchedulingContext);
    }

    // What an await captures (as the core would): a SynchronizationContext other than the base one, else a TaskScheduler
    // other than the default.
    private static object? CapturedContext()
    {
        SynchronizationContext? context = SynchronizationContext.Current;
        if (context is not null && context.GetType() != typeof(SynchronizationContext))
        {
            return context;
        }

        TaskScheduler scheduler = TaskScheduler.Current;
        return scheduler != TaskScheduler.Default ? scheduler : null;
    }

    // On a thread-pool thread, never the resolving one: hands the continuation to the context the await captured.
    private static void PostToCapturedContext(object? state)
    {
        var slot = (PendingRequest<TResponse>)state!;
        object context = slot._context!;
        slot._context = null;
        if (context is SynchronizationContext synchronizationContext)
        {
            synchronizationContext.Post(s_runContinuation, slot);
        }
        else
        {
            Action<object?> continuation = slot._continuation!;
            object? continuationState = slot._continuationState;
            slot._continuation = null;
            slot._continuationState = null;
            Task.Factory.StartNew(continuation, continuationState, CancellationToken.None, TaskCreationOptions.DenyChildAttach, (TaskScheduler)context);
        }
    }

    private static void RunContinuation(object? state)
    {
        var slot = (PendingRequest<TResponse>)state!;
        Action<object?> continuation = slot._continuation!;
        object? continuationState = slot._continuationState;
        slot._continuation = null;
        slot._continuationState = null;
        continuation(continuationState); // may call GetResult and recycle the slot: nothing of it is read after this
    }

    TResponse IValueTaskSource<TResponse>.GetResult(short token)
    {
        ThrowUnlessCompleted(token);
        try
        {
            ThrowIfFailed(_core.GetResult(token));
            if (_length != Unsafe.SizeOf<TResponse>())
            {
                throw new MessageFormatException($"The response has {_length} bytes, but {typeof(TResponse).Name} has {Unsafe.SizeOf<TResponse>()}.");
            }

            return MemoryMarshal.Read<TResponse>(_buffer);
        }
        finally
        {
            Recycle(giveBack: true);
        }
    }

    ResponseLease<TResponse> IValueTaskSource<ResponseLease<TResponse>>.GetResult(short token)
    {
        ThrowUnlessCompleted(token);
        try
        {
            ThrowIfFailed(_core.GetResult(token));
            var lease = new ResponseLease<TResponse>(_buffer, _length, _owner.Spare);
            _buffer = []; // the lease owns it now; the next response takes the client's spare, or rents one
            return lease;
        }
        finally
        {
            Recycle(giveBack: true);
        }
    }

    // A GetResult that is not the one owed (a second one on the same ValueTask, whose token the recycle made stale, or
    // one before the request was resolved) throws here, before the try: the slot may already serve another request,
    // and recycling it again would reset that request's awaitable, drop its continuation and free its index twice.
    private void ThrowUnlessCompleted(short token)
    {
        if (_core.GetStatus(token) == ValueTaskSourceStatus.Pending) // throws InvalidOperationException for a stale token
        {
            throw new InvalidOperationException("The request has not been resolved yet: await it, or call GetResult only once it completed.");
        }
    }

    private void ThrowIfFailed(int status)
    {
        if (status == ResponseStatus.Failed)
        {
            // A server sends at most ResponseStatus.MaxReasonLength bytes: a longer text (a faulty server) is cut there.
            int length = Math.Min(_length, ResponseStatus.MaxReasonLength);
            throw new RequestFailedException($"The server '{_owner.Name}' failed the request: {Encoding.UTF8.GetString(_buffer, 0, length)}");
        }
    }

    private void AfterResolved()
    {
        _timer?.Change(Timeout.Infinite, Timeout.Infinite);
        _cancellation.Unregister();
        // A caller that never parked (one answered while it spun: the common case) costs this one load. One that parks
        // later sees the id resolved after its own mark (see the class's remarks) and uncounts itself.
        if (Volatile.Read(ref _park) != 0 && Interlocked.Exchange(ref _park, 2) == 1)
        {
            _owner.ParkedChanged(-1);
        }
    }

    /// <summary>Runs the timeout timer's callback now, as a late timer would (for tests).</summary>
    internal void FireTimer() => OnTimer();

    // The timer fails only the request it was armed for (the CAS on that id does nothing once the slot serves
    // another). A timer of an earlier use firing late finds no timed id, or the current use's deadline still ahead.
    // System.Threading.Timer counts in coarse milliseconds and may fire a little before the monotonic deadline: then it
    // is armed again for what remains, or the request would wait for its response however late.
    private void OnTimer()
    {
        long timed = Volatile.Read(ref _timedId);
        if (timed <= 0)
        {
            return;
        }

        long remainingNs = Volatile.Read(ref _deadlineNs) - MonotonicClock.NowNs;
        if (remainingNs <= 0)
        {
            TryTimeOut(timed, _timeout);
        }
        else if (Id == timed)
        {
            _timer?.Change(DueIn(Math.Max(1_000_000, remainingNs + 1_000_000)), Timeout.InfiniteTimeSpan);
        }
    }

    // A timer's due time for what is left of a timeout: at most what System.Threading.Timer takes (about 49.7 days; a
    // longer timeout is re-armed for the rest each time it fires early, as OnTimer does).
    private static TimeSpan DueIn(long remainingNs) =>
        TimeSpan.FromMilliseconds(Math.Clamp(remainingNs / 1_000_000, 0, MaxTimerDueMs));

    private const long MaxTimerDueMs = uint.MaxValue - 1;

    private void Recycle(bool giveBack)
    {
        _cancellation.Dispose();
        _cancellation = default;
        _core.Reset();
        _park = 0;
        Volatile.Write(ref _word, 0);
        if (giveBack)
        {
            _owner.GiveBack(Index);
        }
    }

    private void ReturnBuffer()
    {
        if (_buffer.Length != 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }
    }
}

/// <summary>What a <see cref="PendingRequest{TResponse}"/> needs of its client.</summary>
internal interface IPendingOwner
{
    string Name { get; }

    void ParkedChanged(int delta);

    /// <summary>
    /// Called after each resolution (its CAS, a full fence, then the result set): wakes a caller blocked on another
    /// thread's reading of the responses, if any is parked.
    /// </summary>
    void Answered();

    /// <summary>The slot at <paramref name="index"/> was reset after its result was taken: its index goes back to the free slots.</summary>
    void GiveBack(int index);

    /// <summary>The buffer a disposed lease leaves for the next response (taken by the ring's reader only).</summary>
    SpareResponseBuffer Spare { get; }
}
