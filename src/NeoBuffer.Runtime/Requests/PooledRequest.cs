using System;
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Ring;

namespace NeoBuffer.Requests;

/// <summary>
/// What one request the server read needs (its bytes, its client, its correlation id), kept in an object the server
/// pools: each request it reads gets a new generation of one, and the public <see cref="IncomingRequest{TRequest, TResponse}"/>
/// is only this object and that generation. Every use checks the generation, so a copy kept past the request's end
/// throws instead of acting on whatever request the object serves next.
/// </summary>
/// <remarks>
/// <para>
/// One word, <c>_state</c>, holds the generation and where the request stands: open, being answered (one reply,
/// failure or claim in progress), answered, and whether its owner ended it. Every change (an answer begun or ended, an
/// end) is a CAS on that word, so a use that acts checks and acts on the same generation at once: no window where the
/// generation was right when checked and the object was reused before it acted. Reads (<see cref="Payload"/>,
/// <see cref="ClientId"/>) only check the generation and then read: a read racing an end and the object's reuse on
/// another thread may return the next request's bytes or client. It can never answer that request (answering is the
/// CAS above); only a caller that uses a request after ending it, or while another thread ends it, can see that.
/// </para>
/// <para>
/// The fields (<c>_client</c>, <c>_correlationId</c>, the bytes) are written by <see cref="Start"/> before the release
/// store that opens the generation, and read only by a thread that saw that generation open (or that won the
/// answering CAS on it). They change again only after <see cref="Recycle"/>, which runs once the request is ended and
/// no answer is in progress: the owner's end recycles at once unless an answer is in progress, and then that answer
/// recycles when it ends. So a thread holding the answering state reads the fields of its own request, and no other.
/// </para>
/// </remarks>
internal sealed class PooledRequest<TRequest, TResponse> : IAnswerable
    where TRequest : unmanaged, IChannelMessage<TRequest>
    where TResponse : unmanaged, IChannelMessage<TResponse>
{
    private const long Open = 0;
    private const long Answering = 1;
    private const long Answered = 2;
    private const long PhaseMask = 3;
    private const long Ended = 4;
    private const int GenerationShift = 3;

    private readonly SharedServer<TRequest, TResponse> _server;
    private ServerClient? _client;
    private long _correlationId;
    private byte[] _buffer = [];
    private int _length;

    // While a ServeAsync handler runs synchronously: where the request's bytes are in the request ring (the server
    // holds their lease) and the thread running the handler; zero when the bytes are in _buffer, Copying while one
    // thread copies them there, Left once the serving thread let go of them uncopied (the request is ending). LeaveRing
    // says why.
    private const nint Copying = -1;
    private const nint Left = -2;
    private nint _inPlace;
    private int _servingThread;
    private EndReason? _endReason;

    // Generation 0 is never handed out (a default IncomingRequest has no object at all, but keep the two apart anyway).
    private long _state = (1L << GenerationShift) | Ended | Answered;

    public PooledRequest(SharedServer<TRequest, TResponse> server) => _server = server;

    public SharedServer<TRequest, TResponse> Server => _server;

    /// <summary>Fills the object with a request just read, copying its bytes, and opens a new generation for it; returns that generation.</summary>
    public long Start(ServerClient client, long correlationId, ReadOnlySpan<byte> request)
    {
        CopyIn(request);
        Volatile.Write(ref _inPlace, 0); // the bytes are the copy (an earlier generation read in place may have left Left)
        return OpenGeneration(client, correlationId);
    }

    /// <summary>
    /// Fills the object with a request read in place: <paramref name="request"/> is in the request ring, under a lease
    /// the caller holds until it calls <see cref="LeaveRing"/>, and the calling thread is the one that runs the
    /// request's handler meanwhile. Opens a new generation for it and returns that generation.
    /// </summary>
    public unsafe long StartInPlace(ServerClient client, long correlationId, ReadOnlySpan<byte> request)
    {
        // The pointer is published last, with release: a thread copying out (a late use of an earlier generation's
        // handle) reads it first, with acquire, and so reads this request's length and serving thread with it. No copy
        // can be in progress now: the earlier generation's LeaveRing saw the pointer zero (after waiting out a copy in
        // progress), and a copy starts only by a CAS from the pointer it read.
        _length = request.Length;
        _servingThread = Environment.CurrentManagedThreadId;
        Volatile.Write(ref _inPlace, (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(request))); // mapped shared memory: never moves

        return OpenGeneration(client, correlationId);
    }

    /// <summary>
    /// Called by the serving thread when the handler of a request read in place has returned, before it lets go of the
    /// lease: with <paramref name="keep"/> (the handler has not finished) the bytes are copied out first, so that the
    /// rest of the handler reads the copy; without, they are let go of (the request ends next).
    /// </summary>
    /// <remarks>
    /// Who may read the ring's bytes, and until when. The lease keeps the record's space from every client until the
    /// serving thread lets go of it, right after this call. Only the serving thread, while in the handler's synchronous
    /// part, reads the bytes in place: a span cannot be kept across an await or in a closure, so the handler's code
    /// that runs after it returned (a continuation, on any thread) or beside it (a task it started) reads them through
    /// the handle again, and <see cref="Payload"/> on any other thread first copies them out. A copy is made only by
    /// the thread whose CAS turned the pointer into <see cref="Copying"/>, which zeroes it when done. This call either
    /// zeroes the pointer by its own CAS (after copying, with <paramref name="keep"/>), so no copy can start after it,
    /// or finds a copy in progress and waits until that copy has zeroed it. The lease is let go of after this call: no
    /// read of the ring's bytes can run after their space is handed back. A copy already made by another thread is
    /// kept (the bytes are the same). One CAS, where a lock cost two interlocked operations on the way from every
    /// request's arrival to its reply.
    /// </remarks>
    public void LeaveRing(bool keep)
    {
        var spin = new SpinWait();
        while (true)
        {
            nint inPlace = Volatile.Read(ref _inPlace);
            if (inPlace is 0 or Left)
            {
                return; // copied out already (or, a bug, left twice: there is nothing to let go of)
            }

            if (inPlace != Copying)
            {
                if (!keep)
                {
                    // Left, not zero: a late reader (a copy of this handle on another thread, past its generation check
                    // as the request ends) must find no bytes rather than read the storage's earlier copy as these.
                    if (Interlocked.CompareExchange(ref _inPlace, Left, inPlace) == inPlace)
                    {
                        return;
                    }
                }
                else if (TryCopyOut(inPlace))
                {
                    return;
                }
            }

            ProtocolPoint.Reached(ProtocolPoint.RequestLeaveWaiting);
            spin.SpinOnce(); // another thread is copying the bytes out: wait for it to finish with them
        }
    }

    // Copies the bytes at inPlace out of the ring, unless another thread has begun to (or the pointer changed). A copy
    // that throws (no memory for the buffer) puts the pointer back, so the request is not left marked as being copied.
    private unsafe bool TryCopyOut(nint inPlace)
    {
        if (Interlocked.CompareExchange(ref _inPlace, Copying, inPlace) != inPlace)
        {
            return false;
        }

        ProtocolPoint.Reached(ProtocolPoint.RequestCopyingOut);
        try
        {
            CopyIn(new ReadOnlySpan<byte>((void*)inPlace, _length));
        }
        catch
        {
            Volatile.Write(ref _inPlace, inPlace);
            throw;
        }

        Volatile.Write(ref _inPlace, 0);
        return true;
    }

    private void CopyIn(ReadOnlySpan<byte> request)
    {
        if (_buffer.Length < request.Length)
        {
            if (_buffer.Length != 0)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
            }

            _buffer = ArrayPool<byte>.Shared.Rent(request.Length);
        }

        request.CopyTo(_buffer);
        _length = request.Length;
    }

    private long OpenGeneration(ServerClient client, long correlationId)
    {
        _client = client;
        _correlationId = correlationId;
        long generation = Volatile.Read(ref _state) >> GenerationShift;
        Volatile.Write(ref _state, generation << GenerationShift | Open); // release: the fields above go with it
        return generation;
    }

    /// <summary>
    /// The request's bytes, if <paramref name="generation"/> is still this object's request: in the request ring on the
    /// thread running its handler's synchronous part (<see cref="LeaveRing"/>), else the copy.
    /// </summary>
    public unsafe ReadOnlySpan<byte> Payload(long generation)
    {
        ThrowIfEnded(generation);
        nint inPlace = Volatile.Read(ref _inPlace);
        if (inPlace > 0 && Environment.CurrentManagedThreadId == _servingThread)
        {
            return new ReadOnlySpan<byte>((void*)inPlace, _length);
        }

        // Another thread: the bytes are copied out (by this thread, or by the one that began first) before they are
        // read, and the copy is in _buffer once the pointer is zero. Left: the request ended as this read began.
        var spin = new SpinWait();
        while (inPlace != 0 && !(inPlace > 0 && TryCopyOut(inPlace)))
        {
            if (inPlace == Left)
            {
                throw EndedError();
            }

            spin.SpinOnce();
            inPlace = Volatile.Read(ref _inPlace);
        }

        return _buffer.AsSpan(0, _length);
    }

    /// <summary>The id of the request's client, if <paramref name="generation"/> is still this object's request.</summary>
    public int ClientId(long generation)
    {
        ThrowIfEnded(generation);
        return _client?.Id ?? 0;
    }

    /// <summary>Whether the request of <paramref name="generation"/> was answered; an ended one always was (by a failure, if nothing else).</summary>
    public bool IsAnswered(long generation)
    {
        long state = Volatile.Read(ref _state);
        return state >> GenerationShift != generation || (state & Ended) != 0 || (state & PhaseMask) == Answered;
    }

    /// <summary>
    /// Takes the right to answer the request of <paramref name="generation"/> and returns where the answer goes.
    /// Every path that takes it ends with <see cref="EndAnswer"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The request has ended, was answered, or another answer to it is in progress.</exception>
    public ServerClient BeginAnswer(long generation, out long correlationId)
    {
        while (true)
        {
            long state = Volatile.Read(ref _state);
            ThrowUnlessOpen(state, generation);
            if (Interlocked.CompareExchange(ref _state, state | Answering, state) == state)
            {
                correlationId = _correlationId;
                return _client!;
            }
        }
    }

    /// <summary>
    /// Gives up the right to answer: <paramref name="answered"/> when the answer was written (the request is then
    /// answered for good), else the request is open again. If its owner ended it meanwhile, this finishes the end:
    /// the failure it owes, when nothing was written, then the object goes back to the pool.
    /// </summary>
    public void EndAnswer(long generation, bool answered)
    {
        while (true)
        {
            long state = Volatile.Read(ref _state);
            if (state >> GenerationShift != generation || (state & PhaseMask) != Answering)
            {
                throw new InvalidOperationException("An answer ended that was not in progress."); // a bug in this library, never a caller's misuse
            }

            long phase = answered || (state & Ended) != 0 ? Answered : Open;
            if (Interlocked.CompareExchange(ref _state, (state & ~PhaseMask) | phase, state) != state)
            {
                continue; // the owner set Ended meanwhile: decide again
            }

            if ((state & Ended) != 0)
            {
                if (!answered)
                {
                    EndReason? reason = Volatile.Read(ref _endReason); // published before the Ended this CAS saw
                    FailEventually(_client!, _correlationId, reason is not null && reason.Generation == generation ? reason.Text : "the server ended the request without a reply");
                }

                Recycle(generation, pool: true);
            }

            return;
        }
    }

    /// <summary>
    /// Ends the request of <paramref name="generation"/> (its owner disposed it, or its handler ended): one never
    /// answered is failed with <paramref name="reason"/>. A second end, or one of an earlier generation, does nothing.
    /// </summary>
    public void End(long generation, string reason) => End(generation, reason, pool: true);

    /// <summary>
    /// As <see cref="End(long, string)"/>, for the serving loop, which takes the object for its next request itself:
    /// true when this end recycled the object and did not pool it (the caller now owns it); false when the object is
    /// someone else's to recycle (an answer in progress, or an end on another thread, got there first).
    /// </summary>
    public bool EndAndKeep(long generation, string reason) => End(generation, reason, pool: false);

    private bool End(long generation, string reason, bool pool)
    {
        while (true)
        {
            long state = Volatile.Read(ref _state);
            if (state >> GenerationShift != generation || (state & Ended) != 0)
            {
                return false;
            }

            long phase = state & PhaseMask;
            if (phase == Answering)
            {
                ProtocolPoint.Reached(ProtocolPoint.RequestEnding);
                PublishEndReason(generation, reason); // read by the answer in progress after it sees Ended (this CAS, then that one)
            }

            long ended = phase == Open ? (state & ~PhaseMask) | Ended | Answered : state | Ended;
            if (Interlocked.CompareExchange(ref _state, ended, state) != state)
            {
                continue;
            }

            if (phase == Open)
            {
                FailEventually(_client!, _correlationId, reason);
            }

            if (phase != Answering)
            {
                Recycle(generation, pool);
                return !pool;
            }

            return false;
        }
    }

    void IAnswerable.EndAnswer(long generation, bool answered) => EndAnswer(generation, answered);

    // The reason must be visible before the CAS that sets Ended (the answer in progress reads it once it sees Ended), so
    // it is published before that CAS, which may then fail: the generation may have ended and the object served the
    // next request meanwhile. So the reason carries its generation, is read only by an answer of that generation, and
    // replaces only a reason of an older one: an end late on an earlier generation can never replace (or supply) the
    // reason of the request now served. Of two ends of one generation racing, the first to publish gives the reason.
    private void PublishEndReason(long generation, string reason)
    {
        var mine = new EndReason(generation, reason);
        EndReason? seen = Volatile.Read(ref _endReason);
        while (seen is null || seen.Generation < generation)
        {
            EndReason? was = Interlocked.CompareExchange(ref _endReason, mine, seen);
            if (ReferenceEquals(was, seen))
            {
                return;
            }

            seen = was;
        }
    }

    /// <summary>
    /// Sends a response record whose body is <paramref name="body"/> if the client's gate and ring allow it now.
    /// </summary>
    public bool TrySend(long generation, int status, ReadOnlySpan<byte> body)
    {
        ServerClient client = BeginAnswer(generation, out long correlationId);
        bool sent = false;
        try
        {
            if (client.TryEnter())
            {
                try
                {
                    sent = client.TryWrite(correlationId, status, 0, body);
                }
                finally
                {
                    client.Exit();
                }
            }
        }
        finally
        {
            EndAnswer(generation, sent);
        }

        return sent;
    }

    /// <summary>Claims the response in place, if the client's gate and ring allow it now.</summary>
    public bool TryClaimReply(long generation, int length, out ReplyClaim claim)
    {
        ServerClient client = BeginAnswer(generation, out long correlationId);
        try
        {
            if (client.TryEnter())
            {
                bool claimed = false;
                try
                {
                    claimed = client.TryClaim(correlationId, ResponseStatus.Ok, 0, length, out WriteClaim raw, out Span<byte> body);
                    if (claimed)
                    {
                        claim = new ReplyClaim(this, generation, client, raw, body); // its Commit or Dispose ends the answer
                        return true;
                    }
                }
                finally
                {
                    if (!claimed)
                    {
                        client.Exit();
                    }
                }
            }
        }
        catch
        {
            EndAnswer(generation, answered: false);
            throw;
        }

        EndAnswer(generation, answered: false);
        claim = default;
        return false;
    }

    /// <summary>Sends the response, waiting for the client's gate and for room in its ring up to the server's reply timeout.</summary>
    public ValueTask ReplyAsync(long generation, TResponse response, CancellationToken cancellationToken)
    {
        ServerClient client = BeginAnswer(generation, out long correlationId);
        bool sent = false;
        try
        {
            if (client.TryEnter())
            {
                try
                {
                    sent = client.TryWrite(correlationId, ResponseStatus.Ok, 0, MemoryMarshal.AsBytes(new ReadOnlySpan<TResponse>(in response)));
                }
                finally
                {
                    client.Exit();
                }
            }
        }
        catch
        {
            EndAnswer(generation, answered: false);
            throw;
        }

        if (sent)
        {
            EndAnswer(generation, answered: true);
            return ValueTask.CompletedTask;
        }

        // The answering state is kept across the wait: the request may be ended meanwhile (a handler that did not
        // await its reply), and then this reply, when it ends, finishes the end; nobody else answers it.
        return ReplySlowAsync(generation, client, correlationId, response, cancellationToken);
    }

    /// <summary>
    /// Sends a failure for the request now if the client's gate and ring allow it, else from a background wait for
    /// both bounded by the reply timeout, as a reply waits: a failure the server owes (a handler that threw or returned
    /// without replying) must not be dropped because another reply to the same client is in progress. Takes the
    /// client and id, not this object, which goes back to the pool at once.
    /// </summary>
    private void FailEventually(ServerClient client, long correlationId, string reason)
    {
        byte[] text = ReasonText(reason);
        if (client.TryEnter())
        {
            try
            {
                if (client.TryWrite(correlationId, ResponseStatus.Failed, 0, text))
                {
                    return;
                }
            }
            finally
            {
                client.Exit();
            }
        }

        _ = FailSlowAsync(client, correlationId, text, _server.ReplyTimeout);
    }

    /// <summary>A failure's text as sent: UTF-8, at most 1 KiB.</summary>
    public static byte[] ReasonText(string reason)
    {
        byte[] text = Encoding.UTF8.GetBytes(reason);
        return text.Length <= ResponseStatus.MaxReasonLength ? text : text.AsSpan(0, ResponseStatus.MaxReasonLength).ToArray();
    }

    private static async Task FailSlowAsync(ServerClient client, long correlationId, byte[] text, TimeSpan timeout)
    {
        if (!client.TryStartWaiting(SharedClient<TRequest, TResponse>.MaxInFlight))
        {
            return; // a client that reads none of what it is owed: like a reply past that many, the failure is dropped
        }

        long started = Environment.TickCount64;
        try
        {
            if (!await client.EnterAsync(timeout, CancellationToken.None).ConfigureAwait(false))
            {
                return; // another reply held the gate for the whole reply timeout: the client reads nothing
            }

            try
            {
                while (!client.IsGone && !client.TryWrite(correlationId, ResponseStatus.Failed, 0, text))
                {
                    TimeSpan left = timeout - TimeSpan.FromMilliseconds(Environment.TickCount64 - started);
                    if (left <= TimeSpan.Zero || !await client.Writer.WaitToWriteAsync(ResponseEnvelope.Size + Math.Min(text.Length, client.LongestReason), left, CancellationToken.None).ConfigureAwait(false))
                    {
                        return;
                    }
                }
            }
            finally
            {
                client.Exit();
            }
        }
        catch (Exception e) when (e is TimeoutException or System.Threading.Channels.ChannelClosedException or SharedChannelException or ObjectDisposedException)
        {
            // The client stopped reading for the whole reply timeout or went away: like a reply, the failure is dropped
            // and the client's own timeout (or its dead server check) ends the request.
        }
        finally
        {
            client.EndWaiting();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ReplySlowAsync(long generation, ServerClient client, long correlationId, TResponse response, CancellationToken cancellationToken)
    {
        bool sent = false;
        bool waiting = false;
        try
        {
            waiting = client.TryStartWaiting(SharedClient<TRequest, TResponse>.MaxInFlight);
            if (!waiting)
            {
                throw new TimeoutException($"Client {client.Id} of server '{_server.Name}' has {SharedClient<TRequest, TResponse>.MaxInFlight} replies waiting already (as many as a client has requests in flight): it reads none of its responses, and this reply was dropped. Other clients are not affected.");
            }

            TimeSpan timeout = _server.ReplyTimeout;
            long started = Environment.TickCount64;
            if (!await client.EnterAsync(timeout, cancellationToken).ConfigureAwait(false))
            {
                throw ReplyTimedOut(client, timeout);
            }

            try
            {
                while (true)
                {
                    if (client.IsGone)
                    {
                        throw new System.Threading.Channels.ChannelClosedException($"Client {client.Id} of server '{_server.Name}' is gone; the reply was dropped.");
                    }

                    if (client.TryWrite(correlationId, ResponseStatus.Ok, 0, MemoryMarshal.AsBytes(new ReadOnlySpan<TResponse>(in response))))
                    {
                        sent = true;
                        return;
                    }

                    TimeSpan left = timeout - TimeSpan.FromMilliseconds(Environment.TickCount64 - started);
                    if (left <= TimeSpan.Zero)
                    {
                        throw ReplyTimedOut(client, timeout);
                    }

                    try
                    {
                        await client.Writer.WaitToWriteAsync(ResponseEnvelope.Size + Unsafe.SizeOf<TResponse>(), left, cancellationToken).ConfigureAwait(false);
                    }
                    catch (TimeoutException)
                    {
                        throw ReplyTimedOut(client, timeout);
                    }
                }
            }
            finally
            {
                client.Exit(); // before the answer ends: a failure that end may owe takes the same gate
            }
        }
        finally
        {
            if (waiting)
            {
                client.EndWaiting(); // before the answer ends too: a failure it owes counts as one waiting
            }

            EndAnswer(generation, sent);
        }
    }

    private TimeoutException ReplyTimedOut(ServerClient client, TimeSpan timeout) =>
        new($"Client {client.Id} of server '{_server.Name}' read no responses for {timeout.TotalSeconds:0.#} s (its response ring stayed full); the reply was dropped. Other clients are not affected.");

    // Called once per generation, by whichever of the owner's end and the answer in progress comes last. The
    // generation moves on before the object is pooled (or kept by the serving turn for its next request, which is the
    // same hand-over without the pool), so no copy of the ended request matches it again.
    private void Recycle(long generation, bool pool)
    {
        _client = null;
        Volatile.Write(ref _state, ((generation + 1) << GenerationShift) | Ended | Answered);
        if (pool)
        {
            _server.Return(this);
        }
    }

    private void ThrowIfEnded(long generation)
    {
        long state = Volatile.Read(ref _state);
        if (state >> GenerationShift != generation || (state & Ended) != 0)
        {
            throw EndedError();
        }
    }

    private static void ThrowUnlessOpen(long state, long generation)
    {
        if (state >> GenerationShift != generation || (state & Ended) != 0)
        {
            throw EndedError();
        }

        switch (state & PhaseMask)
        {
            case Answered:
                throw new InvalidOperationException("This request was already answered.");
            case Answering:
                throw new InvalidOperationException("Another reply to this request is in progress (a reply claimed and not yet committed, or a ReplyAsync still waiting).");
        }
    }

    // An end's reason for the answer in progress, and the generation of the request it ended (see PublishEndReason).
    private sealed class EndReason(long generation, string text)
    {
        public long Generation { get; } = generation;

        public string Text { get; } = text;
    }

    private static InvalidOperationException EndedError() =>
        new("This request has ended (it was disposed, or the handler it was given to returned): it can no longer be read or answered, and a reply now could only have gone to another request. Reply before the request ends: await ReplyAsync in the handler.");
}
