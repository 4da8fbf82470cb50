using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using NeoBuffer.Requests;
using NeoBuffer.Ring;
using NeoBuffer.Waiting;

namespace NeoBuffer;

/// <summary>
/// The server side of a request/response service: any number of client processes connect by its name
/// (<see cref="SharedChannel.ConnectAsync{TRequest, TResponse}(string, SharedChannelOptions?, TimeSpan, CancellationToken)"/>)
/// and send <typeparamref name="TRequest"/> messages; each is answered with one <typeparamref name="TResponse"/>,
/// in any order. Serve with <see cref="ServeAsync"/> (a handler per request) or read requests yourself with
/// <see cref="ReadAllAsync"/> and reply to each.
/// </summary>
/// <remarks>
/// <para>
/// Every client creates a duplex channel of its own when it connects: it writes its requests into the first ring and
/// reads its responses from the second, and the server is the other end of both. The service's own ring (named after
/// the server, multi-producer) carries only connects and disconnects, and is the word the server parks on. So no
/// client's request shares a ring, a claim or a cache line with another's: a client killed in the middle of a request
/// costs nothing but that request, and one that floods its ring is read in turn with the others. A reply goes only into
/// its client's ring: a client that stops reading its responses makes only its own replies wait (or fail, see
/// <see cref="ReplyTimeout"/>); the server reads on and serves everyone else.
/// </para>
/// <para>
/// Reading (<see cref="TryRead"/>, <see cref="WaitToReadAsync"/>, <see cref="ReadAllAsync"/>, <see cref="ServeAsync"/>)
/// is for one thread or one async loop at a time; replies may come from any thread.
/// </para>
/// </remarks>
/// <typeparam name="TRequest">The request message type: a <see cref="ChannelMessageAttribute">[ChannelMessage]</see> struct.</typeparam>
/// <typeparam name="TResponse">The response message type.</typeparam>
public sealed class SharedServer<TRequest, TResponse> : IDisposable
    where TRequest : unmanaged, IChannelMessage<TRequest>
    where TResponse : unmanaged, IChannelMessage<TResponse>
{
    // How often an idle server looks for clients that died, to let go of their response rings.
    private static readonly TimeSpan ClientCheckInterval = TimeSpan.FromSeconds(1);

    // Service-ring records (connects, disconnects) acted on between two rounds of the clients' request rings.
    private const int ServiceRecordsPerTurn = 8;

    // Records refused from one client's request ring in one round of the clients.
    private const int RecordsPerTurn = 8;

    private readonly SharedChannelReader _service;
    private readonly SharedChannelOptions _clientOptions;
    private readonly Dictionary<int, ServerClient> _clients = [];

    // The clients in the order their request rings are read, replaced (never changed in place) whenever a client comes
    // or goes: a wait's condition reads it on the futex waiter thread while this server's loop is parked.
    private ServerClient[] _serving = [];
    private int _nextServed;
    private readonly Stack<PooledRequest<TRequest, TResponse>> _pool = new();
    private PooledRequest<TRequest, TResponse>? _spare;
    private readonly int _maxClients;
    private readonly int _spinCount;
    private int _nextClientId;
    private int _clientCount;
    private long _refusedConnections;
    private long _refusedRecords;
    private long _lastClientCheck = Environment.TickCount64;

    // Reading (TryRead, the serving loop's reads, the idle check of clients) against Dispose on another thread: the rings
    // are let go of only when no read is in progress (DetachGate: the same Dekker pair as an endpoint's waits).
    private DetachGate _reading;

    internal SharedServer(string name, SharedChannelOptions? options)
    {
        options ??= SharedChannelOptions.Default;
        var serviceOptions = new SharedChannelOptions
        {
            Directory = options.Directory,
            Capacity = options.Capacity,
            MaxMessageSize = Math.Min(options.MaxMessageSize, SharedChannelOptions.LargestMessageFor(options.Capacity)),
            Permissions = options.Permissions,
            SpinCount = options.SpinCount,
            Topology = ChannelTopology.MultiProducerSingleConsumer,
            MaxProducers = options.MaxProducers,
        };
        _service = SharedChannel.CreateReader(name, serviceOptions, ServiceSchema<TRequest, TResponse>.Layout);
        _maxClients = options.MaxProducers;
        _spinCount = options.SpinCount;
        _clientOptions = new SharedChannelOptions { Directory = options.Directory, SpinCount = options.SpinCount, SweepsDirectory = false }; // the client swept when it created its channel
    }

    /// <summary>The service ring, whose reader word this server parks on (tests watch it).</summary>
    internal SharedChannelReader ServiceRing => _service;

    /// <summary>The clients connected now, in the order their request rings are read (tests act on them).</summary>
    internal ServerClient[] Serving => _serving;

    /// <summary>The service's name: clients connect with it.</summary>
    public string Name => _service.Name;

    /// <summary>Clients connected now (those that disconnected or were found dead are no longer counted).</summary>
    public int ClientCount => Volatile.Read(ref _clientCount);

    /// <summary>
    /// Connect records refused: naming a response ring that does not carry the record's token (written by another
    /// process than the ring's owner), one this server already serves, or one that is gone or is no response ring (no
    /// channel, one of another schema, one that is not a single-producer ring, or one whose longest message is shorter
    /// than a response); and any connect record while
    /// <see cref="SharedChannelOptions.MaxProducers"/> clients are connected (one writer connecting ring after ring).
    /// </summary>
    public long RefusedConnections => Interlocked.Read(ref _refusedConnections);

    /// <summary>
    /// Records refused: shorter than the request envelope, of an unknown kind, naming no client connected now (one
    /// that left, or an id nobody was given), carrying another token than the one the named client connected with
    /// (written by another process under that client's id), or a request whose length no <typeparamref name="TRequest"/>
    /// has. None reaches a handler; a refused disconnect disconnects nobody. Only a request of the last kind is
    /// answered (with a failure saying why, since it came from the client itself); the others have nobody to answer.
    /// </summary>
    public long RefusedRecords => Interlocked.Read(ref _refusedRecords);

    /// <summary>
    /// How long <see cref="IncomingRequest{TRequest, TResponse}.ReplyAsync"/> waits for room in one client's response
    /// ring before it drops the reply (a client that stopped reading). Default 10 s.
    /// </summary>
    public TimeSpan ReplyTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Takes the next request, if one is waiting. Connections and disconnections in the service ring are handled on the
    /// way (they are not requests); the clients' request rings are read in turn, one request each. The request is copied
    /// out of its client's ring, so holding it holds back nothing. A client whose request ring's shared state is
    /// impossible is let go of, as one that left.
    /// </summary>
    /// <exception cref="ChannelCorruptedException">The service ring's shared state is impossible (a faulty or hostile client).</exception>
    public bool TryRead(out IncomingRequest<TRequest, TResponse> request)
    {
        EnterReading();
        try
        {
            if (TryLeaseRequest(out ReadLease lease, out ServerClient? client, out long correlationId))
            {
                using (lease)
                {
                    PooledRequest<TRequest, TResponse> pooled = Rent();
                    request = new IncomingRequest<TRequest, TResponse>(pooled, pooled.Start(client, correlationId, lease.Payload.Slice(RequestEnvelope.Size)));
                    return true;
                }
            }

            request = default;
            return false;
        }
        finally
        {
            ExitReading();
        }
    }

    /// <summary>
    /// Waits asynchronously until a request may be waiting; no thread blocks meanwhile. Completes with false only if
    /// the request ring was completed (the server never does that itself while open).
    /// </summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) => WaitForRecordsAsync(spin: true, cancellationToken);

    // The wait, spinning first unless the caller has just spun for the same records (ServeAsync's SpinForRecord).
    // Reading is for one thread at a time, but should a read on another thread change the list of clients meanwhile
    // (accept one, or drop one: Drop takes it out of _serving before it disposes its ring, so a ring this wait cannot
    // hold belongs to a list already replaced), the wait ends at its first look (RequestWaiting) and the caller reads
    // and waits again on the new list; before, a request of a client missing from the wait's list waited for the next
    // idle check, a second later (ServerWaitClientListTests). A wait ended by the server's Dispose (which empties the
    // list) throws ObjectDisposedException, as a wait on the disposed service ring does.
    private async ValueTask<bool> WaitForRecordsAsync(bool spin, CancellationToken cancellationToken)
    {
        while (true)
        {
            ServerClient[] serving = Volatile.Read(ref _serving);
            ProtocolPoint.Reached(ProtocolPoint.ServerHoldingRings);
            int held = Hold(serving);
            try
            {
                bool waited = await _service.WaitToReadOrAsync(new RequestWaiting(this, serving, held), ClientCheckInterval, cancellationToken, spin).ConfigureAwait(false);
                ObjectDisposedException.ThrowIf(_reading.IsDisposed, this);
                return waited;
            }
            catch (TimeoutException)
            {
                CheckClientsWhileIdle();
            }
            finally
            {
                Release(serving, held);
            }
        }
    }

    // The wait's condition loads the clients' request rings, maybe on the futex waiter thread while a Dispose on
    // another thread lets go of them: each ring is held as a wait of its own for the whole wait (its reader unmaps only
    // after the last wait out), so no load ever touches memory that is gone. Rings from serving[0] up to the first that
    // was already disposed are held; the count is returned.
    private static int Hold(ServerClient[] serving)
    {
        for (int i = 0; i < serving.Length; i++)
        {
            try
            {
                serving[i].Requests.EnterWait();
            }
            catch (ObjectDisposedException)
            {
                return i;
            }
        }

        return serving.Length;
    }

    private static void Release(ServerClient[] serving, int held)
    {
        for (int i = 0; i < held; i++)
        {
            serving[i].Requests.ExitWait();
        }
    }

    /// <summary>
    /// Reads every request until <paramref name="cancellationToken"/> is cancelled. Reply to each (from any thread,
    /// at any time, in any order) and dispose it.
    /// </summary>
    public async IAsyncEnumerable<IncomingRequest<TRequest, TResponse>> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (TryRead(out IncomingRequest<TRequest, TResponse> request))
            {
                yield return request;
            }
        }
    }

    /// <summary>
    /// Serves requests until <paramref name="cancellationToken"/> is cancelled (then the task is cancelled): calls
    /// <paramref name="handler"/> for each, without waiting for one handler to finish before starting the next, so a
    /// slow request holds back no other. The handler replies (<c>request.TryReply</c>, <c>ReplyAsync</c>,
    /// <c>TryClaimReply</c>); a handler that throws answers its request with a failure carrying the exception's
    /// message, and one that returns without replying answers it with "ended without a reply". Each request is
    /// disposed when its handler ends.
    /// </summary>
    /// <remarks>
    /// The handler reads its request in place, where the client wrote it in its request ring, with no copy,
    /// while it runs synchronously: a handler that reads, replies (<c>TryReply</c> or a claimed reply) and returns a
    /// completed <see cref="ValueTask"/> costs no copy of the request. A handler that returns unfinished (it awaited
    /// something not yet done) has its request copied out before the server reads on, so that it can read it, through
    /// the handle, for as long as it runs; code of the handler running on another thread meanwhile reads a copy too.
    /// Read the request through the handle (<c>request.Payload</c>, <c>request.Message</c>) after each <c>await</c>.
    /// </remarks>
    public async Task ServeAsync(Func<IncomingRequest<TRequest, TResponse>, ValueTask> handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        bool spin = true;
        while (await WaitForRecordsAsync(spin, cancellationToken).ConfigureAwait(false))
        {
            spin = !ServeWhileBusy(handler, cancellationToken);
        }
    }

    // Serves what is waiting, then keeps the read and spins for the next request (the spin an async wait makes before
    // it parks, SpinCount / 16 rounds) and serves it from here: a request that comes while the server spins costs it one
    // look at the rings, not a wait's bookkeeping (each client's ring held and let go of, a deadline read from the
    // clock, the read entered and left, an async method's completion: about 100 ns of CPU a request on the machine of
    // docs/benchmarks/notes.md, RequestRoundTripBenchmarks), which on a core the client shares is time taken from the
    // client's own half of the round trip. Only once the spin finds nothing does ServeAsync go back to the wait, which
    // then parks at once (true returned: the spin ran out). The rings looked at here are safe to load without the
    // wait's Hold: a Dispose lets go of them only after the read ends (and the spin stops as soon as it sees the
    // dispose), and a client dropped on the way (Drop, only ever called by the thread holding the read: this one) is
    // out of _serving before its ring is let go of, and _serving is read again at every check. (With SpinCount 0 it is
    // one turn: what is waiting, served; RequestRoundTripBenchmarks times that.)
    internal bool ServeWhileBusy(Func<IncomingRequest<TRequest, TResponse>, ValueTask> handler, CancellationToken cancellationToken)
    {
        EnterReading();
        PooledRequest<TRequest, TResponse>? kept = null;
        try
        {
            do
            {
                ServeWaiting(handler, ref kept);
            }
            while (SpinForRecord(cancellationToken));

            return !_reading.IsDisposed && !cancellationToken.IsCancellationRequested;
        }
        finally
        {
            if (kept is not null)
            {
                Return(kept);
            }

            ExitReading();
        }
    }

    // True as soon as the service ring or a client's request ring has a record; false once the spin is over, or the
    // server disposed, or the serving cancelled. The caller holds the read.
    private bool SpinForRecord(CancellationToken cancellationToken)
    {
        for (long check = 1, checks = FineSpinPoll.Checks(_spinCount / 16); check <= checks; check++)
        {
            FineSpinPoll.Pause(check);
            if (_reading.IsDisposed || cancellationToken.IsCancellationRequested)
            {
                return false;
            }

            ServerClient[] serving = _serving;
            try
            {
                if (_service.HasMessage || new RequestWaiting(this, serving, serving.Length).IsSatisfied())
                {
                    return true;
                }
            }
            catch (SharedChannelException)
            {
                return true; // the serving loop's read meets the broken ring again and deals with it
            }
        }

        return false;
    }

    /// <summary>
    /// Stops serving: every connected client's pending requests fail with a <see cref="ChannelClosedException"/> that
    /// says the server closed, and the service's name is free again once the last client has let go of it.
    /// </summary>
    /// <remarks>
    /// A read in progress on another thread (a <see cref="TryRead"/>, or <see cref="ServeAsync"/>'s turn, which goes
    /// on spinning for the next request after it served one) finishes the close when it ends, within moments: the
    /// clients are told, and the rings let go of, by that thread. Await <see cref="ServeAsync"/>'s task to know it has.
    /// </remarks>
    public void Dispose()
    {
        if (!_reading.TryDispose())
        {
            return;
        }

        // Every client is marked closed by ReleaseRings, after any read in progress: a read looks at the clients' response
        // writers (DropDeadClients probes their reader rows), which marking one gone may dispose.
        Volatile.Write(ref _clientCount, 0);
        if (_reading.HasNoWaits)
        {
            ReleaseRings();
        }
    }

    private ChannelClosedException Closed() => new($"The server '{Name}' closed.");

    private void EnterReading()
    {
        if (!_reading.TryEnterWait())
        {
            ExitReading();
            ObjectDisposedException.ThrowIf(true, this);
        }
    }

    private void ExitReading()
    {
        if (_reading.ExitWait())
        {
            ReleaseRings();
        }
    }

    // Once disposed and no read is in progress, exactly once: every client is marked closed (replies in progress on any
    // thread: each client's gate decides who disposes its response writer), its request ring let go of (unmapped once a
    // wait holding it, RequestWaiting, is out), and the service ring too (whose disposal ends a wait parked on it).
    private void ReleaseRings()
    {
        if (!_reading.TryDetach())
        {
            return;
        }

        foreach (ServerClient client in _clients.Values)
        {
            client.MarkGone(Closed());
            client.Requests.Dispose();
        }

        _clients.Clear();
        _serving = [];
        _service.Dispose();
    }

    // Calls the handler for every request waiting, each read in place in the request ring: the ring's record is held
    // (its lease open, so no client's claim can reuse that space) for exactly as long as the handler runs
    // synchronously. A handler that completes at once has read the request where its client wrote it; one that does
    // not is handed over to a copy before the lease is let go of (PooledRequest.LeaveRing says why no reader of the
    // handle can be left holding the ring's bytes). Synchronous, because a lease is a ref struct: it cannot live across
    // the awaits of ServeAsync, and no request needs it to. A request whose handler completed here is ended here, and
    // its object, recycled by that end, is kept (in kept, the serving turn's) for the next request instead of going
    // through the pool: that saves the pool's two interlocked operations per request on the way to the next reply.
    private void ServeWaiting(Func<IncomingRequest<TRequest, TResponse>, ValueTask> handler, ref PooledRequest<TRequest, TResponse>? kept)
    {
        while (TryLeaseRequest(out ReadLease lease, out ServerClient? client, out long correlationId))
        {
            using (lease)
            {
                PooledRequest<TRequest, TResponse> pooled = kept ?? Rent();
                kept = null;
                long generation = pooled.StartInPlace(client, correlationId, lease.Payload.Slice(RequestEnvelope.Size));
                var request = new IncomingRequest<TRequest, TResponse>(pooled, generation);
                ValueTask handling;
                try
                {
                    handling = handler(request);
                }
                catch (Exception e)
                {
                    pooled.LeaveRing(keep: false);
                    Finish(request, e);
                    continue;
                }

                if (handling.IsCompletedSuccessfully)
                {
                    pooled.LeaveRing(keep: false); // before the end: the storage may be pooled (and rented) once ended
                    if (pooled.EndAndKeep(generation, IncomingRequest<TRequest, TResponse>.EndedWithoutReply))
                    {
                        kept = pooled;
                    }
                }
                else
                {
                    pooled.LeaveRing(keep: true); // before the lease is let go of, at the end of this block
                    _ = FinishAsync(handling, request);
                }
            }
        }
    }

    // The next request record, its lease open (the caller disposes it), from a connected client's request ring. Rounds
    // of a few service-ring records (connects, disconnects), then the clients' rings in turn, one request each, starting
    // after the client served last: a client that keeps its ring full gets one request in N. Every other record is
    // refused and counted on the way. On false (nothing waiting, or the server disposed) no lease is open.
    private bool TryLeaseRequest(out ReadLease lease, [NotNullWhen(true)] out ServerClient? client, out long correlationId)
    {
        // At most a few service records before each round of the clients' rings: any client holds a writer of the
        // service ring, and one that kept it full would otherwise keep every other client waiting. A Dispose ends the
        // rounds (a client that kept the rings busy would otherwise keep this read, and so the rings, for ever).
        while (!_reading.IsDisposed)
        {
            bool serviceRingBusy = ActOnServiceRecords();
            if (TryLeaseFromClients(out lease, out client, out correlationId, out bool clientRingsBusy))
            {
                return true;
            }

            if (!serviceRingBusy && !clientRingsBusy)
            {
                break;
            }
        }

        if (Environment.TickCount64 - _lastClientCheck > ClientCheckInterval.TotalMilliseconds)
        {
            DropDeadClients();
        }

        lease = default;
        client = null;
        correlationId = 0;
        return false;
    }

    // Acts on up to ServiceRecordsPerTurn records of the service ring; true when it stopped at that bound.
    private bool ActOnServiceRecords()
    {
        for (int acted = 0; acted < ServiceRecordsPerTurn; acted++)
        {
            if (!_service.TryLease(out ReadLease lease))
            {
                return false;
            }

            using (lease)
            {
                if (!RequestRecord.TryOpen(lease.Payload, out RequestEnvelope envelope))
                {
                    Interlocked.Increment(ref _refusedRecords);
                    continue;
                }

                switch (envelope.Kind)
                {
                    case RequestKind.Connect:
                        Accept(envelope.Token, lease.Payload.Slice(RequestEnvelope.Size));
                        break;
                    case RequestKind.Disconnect when SentBy(envelope) is ServerClient sender:
                        Drop(sender.Id, reason: null);
                        break;
                    case RequestKind.Request:
                        Interlocked.Increment(ref _refusedRecords); // requests come through their client's own ring only
                        break;
                }
            }
        }

        return true;
    }

    // One round of the clients' request rings, starting after the client served last: the first request found. At most
    // RecordsPerTurn records are refused from one client in a round (busy: true then), so a client that fills its ring
    // with records it may not send keeps the server from the others no longer than one that sends requests.
    private bool TryLeaseFromClients(out ReadLease lease, [NotNullWhen(true)] out ServerClient? client, out long correlationId, out bool busy)
    {
        busy = false;
        ServerClient[] serving = _serving;
        int start = (uint)_nextServed < (uint)serving.Length ? _nextServed : 0; // the list may have shrunk since
        for (int turn = 0; turn < serving.Length; turn++)
        {
            int index = start + turn < serving.Length ? start + turn : start + turn - serving.Length; // no division on the way to each request
            ServerClient candidate = serving[index];
            if (candidate.IsGone)
            {
                // Marked gone by a reply that found its response ring broken: let go of it now, so that a request left
                // in its ring no longer ends the server's waits (RequestWaiting) with nothing to read.
                Drop(candidate.Id, reason: null);
                continue;
            }

            for (int refused = 0; ; refused++)
            {
                if (refused == RecordsPerTurn)
                {
                    busy = true; // this client's next records wait for the next round
                    break;
                }

                if (!TryLeaseFrom(candidate, out lease))
                {
                    break;
                }

                bool keep = false;
                try
                {
                    if (!RequestRecord.TryOpen(lease.Payload, out RequestEnvelope envelope) || envelope.Kind != RequestKind.Request || envelope.Token != candidate.Token)
                    {
                        Interlocked.Increment(ref _refusedRecords);
                        continue;
                    }

                    if (RequestRecord.MessageProblem<TRequest>(lease.Payload.Slice(RequestEnvelope.Size)) is string problem)
                    {
                        Refuse(candidate, envelope.CorrelationId, problem);
                        continue;
                    }

                    _nextServed = index + 1;
                    client = candidate;
                    correlationId = envelope.CorrelationId;
                    keep = true;
                    return true;
                }
                finally
                {
                    if (!keep)
                    {
                        lease.Dispose();
                    }
                }
            }
        }

        lease = default;
        client = null;
        correlationId = 0;
        return false;
    }

    // A client's request ring is the client's to write, and so to break: a ring whose shared state is impossible, or
    // that its writer completed or faulted, ends that client, never the server.
    private bool TryLeaseFrom(ServerClient candidate, out ReadLease lease)
    {
        try
        {
            return candidate.Requests.TryLease(out lease);
        }
        catch (Exception e) when (e is SharedChannelException or ChannelClosedException)
        {
            Drop(candidate.Id, reason: null);
            lease = default;
            return false;
        }
    }

    // One request object at a time is kept in _spare, taken and put back with one interlocked operation each (a lock
    // costs about twice that, on the path from a request's arrival to its reply): requests answered one after another,
    // as a client waiting for each answer sends them, pass one object back and forth there. The rest go to the pool.
    internal void Return(PooledRequest<TRequest, TResponse> request)
    {
        if (Interlocked.CompareExchange(ref _spare, request, null) is null)
        {
            return;
        }

        lock (_pool)
        {
            _pool.Push(request);
        }
    }

    private PooledRequest<TRequest, TResponse> Rent()
    {
        if (Interlocked.Exchange(ref _spare, null) is PooledRequest<TRequest, TResponse> spare)
        {
            return spare;
        }

        lock (_pool)
        {
            if (_pool.TryPop(out PooledRequest<TRequest, TResponse>? pooled))
            {
                return pooled;
            }
        }

        return new PooledRequest<TRequest, TResponse>(this);
    }

    private async Task FinishAsync(ValueTask handling, IncomingRequest<TRequest, TResponse> request)
    {
        try
        {
            await handling.ConfigureAwait(false);
            request.Dispose();
        }
        catch (Exception e)
        {
            Finish(request, e);
        }
    }

    // A request from a connected client (its token checked) whose message cannot be a TRequest: counted with the
    // records refused, and failed with the reason, so that its caller gets a clear error instead of its timeout. The
    // failure goes as any failure the server owes does (a pooled request opened with no bytes, ended at once).
    private void Refuse(ServerClient client, long correlationId, string reason)
    {
        Interlocked.Increment(ref _refusedRecords);
        PooledRequest<TRequest, TResponse> pooled = Rent();
        pooled.End(pooled.Start(client, correlationId, ReadOnlySpan<byte>.Empty), reason);
    }

    // Ends the request of a handler that threw: a request it did not answer fails with the exception's message.
    private static void Finish(IncomingRequest<TRequest, TResponse> request, Exception error) =>
        request.End($"{error.GetType().Name}: {error.Message}");

    // The connected client that wrote this record, or null (counted): the record must carry the token the client
    // connected with, which only the client and the server hold (RequestEnvelope says why that is enough). One lookup
    // and one 8-byte compare: what every request costs.
    private ServerClient? SentBy(in RequestEnvelope envelope)
    {
        if (_clients.TryGetValue(envelope.ClientId, out ServerClient? client) && client.Token == envelope.Token)
        {
            return client;
        }

        Interlocked.Increment(ref _refusedRecords);
        return null;
    }

    // Ids count up from 1 and are not reused until the count wraps, after 2^32 connects; then it skips 0 (the id a
    // connect record carries) and any id still connected, so a long-lived server never gives out an id twice at once.
    private int NextClientId()
    {
        do
        {
            _nextClientId = unchecked(_nextClientId + 1);
        }
        while (_nextClientId == 0 || _clients.ContainsKey(_nextClientId));

        return _nextClientId;
    }

    // A new client: open the response ring it created (its name is the record's body), check that the ring carries
    // the record's token (ConnectToken says why that proves the record is the ring owner's), and acknowledge with its id.
    private void Accept(long token, ReadOnlySpan<byte> body)
    {
        if (_reading.IsDisposed)
        {
            Interlocked.Increment(ref _refusedConnections); // a connect read after Dispose (a handler disposed the server, say)
            return;
        }

        DropDeadClients();

        // Every client holds a writer row of the service ring while it is connected, so no more clients than the ring
        // admits writers can be connected honestly. More can only be one writer connecting ring after ring (each an
        // honest record, its own token stamped in it): each would cost a descriptor, a mapping and a probe per check,
        // kept as long as that writer lives, with no bound. Refused instead; that writer can shut others out no more
        // than by taking every writer row itself.
        if (_clients.Count >= _maxClients)
        {
            Interlocked.Increment(ref _refusedConnections);
            return;
        }

        SharedDuplexChannel channel;
        try
        {
            MessageLayout schema = ServiceSchema<TRequest, TResponse>.Layout;
            channel = SharedDuplexChannel.Open(Encoding.UTF8.GetString(body), _clientOptions, writeSchema: schema, readSchema: schema);
        }
        catch (Exception e) when (e is SharedChannelException or ArgumentException)
        {
            // The client left (or died) before we got to it, the channel is already served (ours), or the record is not
            // a client's (no duplex channel of this service's schema): nobody to answer.
            Interlocked.Increment(ref _refusedConnections);
            return;
        }

        SharedChannelWriter writer = channel.Writer;

        // A duplex channel is two single-producer rings, so the server is the one writer of the response ring and the one
        // reader of the request ring, and finds the client dead by either. Its response ring must take an envelope and
        // the shortest response: else no answer could ever be written into it (the claim would throw, on this loop for
        // the acknowledgement or a failure owed). A failure's reason is cut to what a ring takes
        // (ServerClient.LongestReason); a response longer than the ring takes fails its handler's reply.
        if (writer.Topology != ChannelTopology.SingleProducerSingleConsumer
            || writer.MaxMessageSize < ResponseEnvelope.Size + TResponse.Layout.FixedSize
            || !ConnectToken.IsStampedIn(writer, token))
        {
            // Someone else's channel, or none: let go of it at once, so its owner's own connect record (read later) finds it free.
            channel.Dispose();
            Interlocked.Increment(ref _refusedConnections);
            return;
        }

        var client = new ServerClient(NextClientId(), token, writer, channel.Reader);
        if (!client.TryEnter() || !client.TryWrite(token, ResponseStatus.Connected, client.Id, ReadOnlySpan<byte>.Empty))
        {
            channel.Dispose(); // a ring too small for even the acknowledgement
            return;
        }

        client.Exit();
        _clients.Add(client.Id, client);
        _serving = [.. _serving, client];
        Volatile.Write(ref _clientCount, _clients.Count);
    }

    private void Drop(int clientId, Exception? reason)
    {
        if (_clients.Remove(clientId, out ServerClient? client))
        {
            client.MarkGone(reason);
            _serving = Array.FindAll(_serving, other => other != client); // first: a wait that cannot hold the ring sees a new list (WaitForRecordsAsync)
            client.Requests.Dispose(); // unmapped once a wait holding it (RequestWaiting) is out
            Volatile.Write(ref _clientCount, _clients.Count);
        }
    }

    // Idle: a good moment to let go of the channels of clients that died. A read like any other, so a Dispose meanwhile
    // leaves the rings to its end (internal for the test that pins that).
    internal void CheckClientsWhileIdle()
    {
        EnterReading();
        try
        {
            DropDeadClients();
        }
        finally
        {
            ExitReading();
        }
    }

    // A client that died never says goodbye: its response ring's reader row is dead. One lock probe per client. A
    // client found to have broken its own ring while a reply was written to it is let go of here too.
    private void DropDeadClients()
    {
        _lastClientCheck = Environment.TickCount64;
        List<int>? dead = null;
        foreach (ServerClient client in _clients.Values)
        {
            ProtocolPoint.Reached(ProtocolPoint.ServerCheckingClients);
            if (!client.IsServable())
            {
                (dead ??= []).Add(client.Id);
            }
        }

        foreach (int id in dead ?? [])
        {
            Drop(id, reason: null);
        }
    }

    // A server's wait ends when its own ring has a record or any held client's request ring has one, or when the list of
    // clients it holds is no longer the server's: a read on another thread (against the one-reader rule) accepted a
    // client, whose requests this wait would not see, or dropped one (WaitForRecordsAsync). A client wakes the service
    // ring's reader word after each request it commits (SharedClient.CommitRequest), so one word serves them all. Dead
    // clients are found by the server's checks each quiet second (DropDeadClients), not here.
    private readonly struct RequestWaiting(SharedServer<TRequest, TResponse> server, ServerClient[] serving, int held) : IWaitCondition
    {
        public bool IsSatisfied()
        {
            if (!ReferenceEquals(Volatile.Read(ref server._serving), serving))
            {
                return true;
            }

            for (int i = 0; i < held; i++)
            {
                ServerClient client = serving[i];
                if (client.IsGone)
                {
                    continue; // let go of by the serving loop's next read, which this wait does not hurry
                }

                try
                {
                    if (client.Requests.HasMessage)
                    {
                        return true;
                    }
                }
                catch (SharedChannelException)
                {
                    return true; // the client broke its ring: the serving loop's read finds out again and lets go of it
                }
            }

            return false;
        }

        public void ReclaimFromDeadPeers()
        {
        }

        public void OnParking()
        {
        }
    }
}
