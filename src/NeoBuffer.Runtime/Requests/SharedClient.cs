using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using System.Threading.Tasks.Sources;
using NeoBuffer.Interop;
using NeoBuffer.Requests;
using NeoBuffer.Ring;
using NeoBuffer.Waiting;

namespace NeoBuffer;

/// <summary>
/// A client of a <see cref="SharedServer{TRequest, TResponse}"/>: sends <typeparamref name="TRequest"/> messages and
/// gets one <typeparamref name="TResponse"/> back for each. Any number of requests may be in flight at once, from any
/// threads; the library gives each a correlation id and matches the responses, which may come back in any order.
/// </summary>
/// <remarks>
/// <para>
/// <b>How a response is waited for.</b> A caller first spins (<see cref="SharedChannelOptions.SpinCount"/> rounds),
/// reading the response ring itself whenever no other thread is, so a quick server answers without a context switch
/// or an allocation. Then a blocking call (<see cref="Request(TRequest, TimeSpan, CancellationToken)"/>,
/// <see cref="RequestLease"/>, <see cref="RequestClaim{TRequest, TResponse}.Send"/>) parks its own thread: on the
/// response ring's futex word when no other thread reads the ring (the server's commit wakes it directly), else on a
/// word of the client's that whoever answers its request, or lets go of the ring, wakes. An async call parks without
/// a thread: a reader loop on the process's futex waiter thread reads the ring while any async caller is parked, and
/// completes each awaiter, whose continuation runs on the thread pool.
/// </para>
/// <para>
/// <b>Failures.</b> A server that dies or is disposed fails every pending request, and every later one, with a
/// <see cref="ChannelClosedException"/> saying so. A request that times out or is cancelled ends with
/// <see cref="TimeoutException"/> or <see cref="OperationCanceledException"/>; its response, if it comes later, is
/// dropped. A handler that fails the request ends it with <see cref="RequestFailedException"/>.
/// </para>
/// </remarks>
/// <typeparam name="TRequest">The request message type.</typeparam>
/// <typeparam name="TResponse">The response message type.</typeparam>
public sealed class SharedClient<TRequest, TResponse> : IDisposable, IPendingOwner
    where TRequest : unmanaged, IChannelMessage<TRequest>
    where TResponse : unmanaged, IChannelMessage<TResponse>
{
    /// <summary>The most requests one client has in flight at once; a further one waits for a slot.</summary>
    public const int MaxInFlight = 1024;

    private const int IndexBits = 20;
    private const long IndexMask = (1L << IndexBits) - 1;

    private readonly string _name;
    private readonly SharedChannelWriter _service;
    private readonly SharedChannelWriter _requests;
    private readonly SharedChannelReader _responses;
    private readonly PendingRequest<TResponse>?[] _slots = new PendingRequest<TResponse>?[MaxInFlight];
    private readonly FreeSlotPool _free = new(MaxInFlight);
    private readonly FastPathSemaphore _sending = new(1);
    private readonly CancellationTokenSource _closing = new();

    // Cancelled once the client has failed (its server gone, or the client disposed), after the pending requests were
    // failed: it ends every wait of a send (for a free slot, which a failed request gives back only when its result is
    // taken; for the send gate; for room in the request ring).
    private readonly CancellationTokenSource _failed = new();

    // The wake word (an event count, RingWait's protocol) of blocking callers waiting for another thread's reading of
    // the ring: whoever answers a request or lets go of the ring wakes it. Pinned, so its address stays put while a
    // thread sleeps on it; process-private, and each waker has made a full fence (its CAS or exchange) just before.
    private readonly int[] _handoff = GC.AllocateArray<int>(1, pinned: true);
    private readonly int _spinCount;

    // The connect token (ConnectToken): stamped in the response ring, and carried by every record this client writes,
    // so the server can tell them from records another process writes under this client's id.
    private readonly long _token;
    private int _clientId;
    private long _droppedResponses;
    private long _sequence;
    private long _claims;
    private long _openClaim;
    private long _blockedSleeps;
    private int _reading;
    private int _parked;
    private int _requestsClosed;
    private int _disposed;
    private Func<Exception>? _fault;

    private SharedClient(string name, SharedChannelWriter service, SharedDuplexChannel channel, long token, int spinCount)
    {
        _name = name;
        _token = token;
        _service = service;
        _requests = channel.Writer;
        _responses = channel.Reader;
        _spinCount = spinCount;

        // Dispose cancels _closing before it waits for the ring's reader: a blocked caller wakes, sees the fault, and lets go.
        _closing.Token.UnsafeRegister(static state => ((SharedClient<TRequest, TResponse>)state!).WakeBlockedCallers(), this);
    }

    /// <summary>The server's name.</summary>
    public string Name => _name;

    /// <summary>The id the server gave this client.</summary>
    public int ClientId => _clientId;

    /// <summary>
    /// Responses read and dropped because they answered no request pending now: a response that came after its request
    /// timed out or was cancelled, or one that answers a request this client never sent, or whose envelope is malformed
    /// (only a faulty or hostile server writes those). They never complete or fail another request, and reading goes on.
    /// </summary>
    public long DroppedResponses => Interlocked.Read(ref _droppedResponses);

    /// <summary>The connect token this client's records carry.</summary>
    internal long Token => _token;

    /// <summary>The request ring of this client's channel (tests write records into it by hand).</summary>
    internal SharedChannelWriter RequestRing => _requests;

    /// <summary>
    /// Sends <paramref name="request"/> and returns its response, copied out (for message types without
    /// variable-length fields). No allocation when the server answers while the caller spins.
    /// </summary>
    /// <exception cref="TimeoutException">No response within <paramref name="timeout"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative, other than <see cref="Timeout.InfiniteTimeSpan"/>; nothing was sent.</exception>
    /// <exception cref="RequestFailedException">The server's handler failed the request.</exception>
    /// <exception cref="ChannelClosedException">The server died or closed.</exception>
    /// <exception cref="ObjectDisposedException">The client was disposed, before or while the request was sent or waited for.</exception>
    public ValueTask<TResponse> RequestAsync(TRequest request, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ThrowIfVariable<TRequest>("build it with ClaimRequest");
        RingWait.ThrowIfInvalidTimeout(timeout); // before the send: found after it, it would leave the slot taken
        ThrowIfVariable<TResponse>("use RequestLeaseAsync");
        PendingRequest<TResponse>? slot = TrySendNow(in request);
        return slot is not null
            ? new ValueTask<TResponse>(Await(slot, timeout, cancellationToken), slot.Version)
            : RequestSlowAsync(request, timeout, cancellationToken);
    }

    /// <summary>Sends <paramref name="request"/> and returns its response, waiting as long as it takes (see the overload with a timeout).</summary>
    public ValueTask<TResponse> RequestAsync(TRequest request, CancellationToken cancellationToken = default) =>
        RequestAsync(request, Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>
    /// Sends <paramref name="request"/> and blocks the calling thread until its response arrives, copied out (for
    /// message types without variable-length fields): the blocking form of
    /// <see cref="RequestAsync(TRequest, TimeSpan, CancellationToken)"/>. It spins, then sleeps on the response ring's
    /// wake word itself, so the server's reply wakes this very thread; no thread-pool thread is involved, and nothing
    /// is allocated (but the registration of a cancellable token, once the caller parks).
    /// </summary>
    /// <remarks>
    /// A blocking form (this, <see cref="RequestLease"/>, <see cref="RequestClaim{TRequest, TResponse}.Send"/>) may be
    /// called from an async request's continuation, whatever context it resumes through: the library never resumes an
    /// awaiter on the thread that delivered its response (which holds the response ring, or is the process's futex
    /// waiter thread); a continuation captured with a <see cref="SynchronizationContext"/> or
    /// <see cref="TaskScheduler"/> is handed to it from a thread-pool thread. On a thread that does deliver responses
    /// it is refused with an <see cref="InvalidOperationException"/> before anything is sent: it would wait for itself.
    /// </remarks>
    /// <exception cref="TimeoutException">No response within <paramref name="timeout"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative, other than <see cref="Timeout.InfiniteTimeSpan"/>; nothing was sent.</exception>
    /// <exception cref="RequestFailedException">The server's handler failed the request.</exception>
    /// <exception cref="ChannelClosedException">The server died or closed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    /// <exception cref="InvalidOperationException">Called on a thread that delivers responses (see remarks); nothing was sent.</exception>
    /// <exception cref="ObjectDisposedException">The client was disposed, before or while the request was sent or waited for.</exception>
    public TResponse Request(TRequest request, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ThrowIfVariable<TRequest>("build it with ClaimRequest");
        RingWait.ThrowIfInvalidTimeout(timeout); // before the send: found after it, it would leave the slot taken
        ThrowIfVariable<TResponse>("use RequestLease");
        ResponseDelivery.ThrowIfBlockingForbidden(_name);
        PendingRequest<TResponse> slot = Send(in request, timeout, cancellationToken);
        short version = slot.Version;
        return ((IValueTaskSource<TResponse>)Wait(slot, timeout, cancellationToken)).GetResult(version);
    }

    /// <summary>Sends <paramref name="request"/> and blocks until its response arrives, however long it takes (see the overload with a timeout).</summary>
    public TResponse Request(TRequest request, CancellationToken cancellationToken = default) =>
        Request(request, Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>
    /// Sends <paramref name="request"/> and blocks the calling thread until its response arrives, as a lease over
    /// pooled memory: the blocking form of <see cref="RequestLeaseAsync"/>. Dispose the lease once.
    /// </summary>
    /// <exception cref="TimeoutException">No response within <paramref name="timeout"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative, other than <see cref="Timeout.InfiniteTimeSpan"/>; nothing was sent.</exception>
    /// <exception cref="RequestFailedException">The server's handler failed the request.</exception>
    /// <exception cref="ChannelClosedException">The server died or closed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    /// <exception cref="InvalidOperationException">Called on a thread that delivers responses (see remarks); nothing was sent.</exception>
    /// <exception cref="ObjectDisposedException">The client was disposed, before or while the request was sent or waited for.</exception>
    public ResponseLease<TResponse> RequestLease(TRequest request, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ThrowIfVariable<TRequest>("build it with ClaimRequest");
        RingWait.ThrowIfInvalidTimeout(timeout); // before the send: found after it, it would leave the slot taken
        ResponseDelivery.ThrowIfBlockingForbidden(_name);
        PendingRequest<TResponse> slot = Send(in request, timeout, cancellationToken);
        short version = slot.Version;
        return ((IValueTaskSource<ResponseLease<TResponse>>)Wait(slot, timeout, cancellationToken)).GetResult(version);
    }

    /// <summary>
    /// Sends <paramref name="request"/> and returns its response as a lease over pooled memory (for responses with
    /// variable-length fields: <c>new TResponse.View(lease.Payload)</c>). Dispose the lease once.
    /// </summary>
    /// <exception cref="TimeoutException">No response within <paramref name="timeout"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative, other than <see cref="Timeout.InfiniteTimeSpan"/>; nothing was sent.</exception>
    /// <exception cref="RequestFailedException">The server's handler failed the request.</exception>
    /// <exception cref="ChannelClosedException">The server died or closed.</exception>
    /// <exception cref="ObjectDisposedException">The client was disposed, before or while the request was sent or waited for.</exception>
    public ValueTask<ResponseLease<TResponse>> RequestLeaseAsync(TRequest request, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ThrowIfVariable<TRequest>("build it with ClaimRequest");
        RingWait.ThrowIfInvalidTimeout(timeout); // before the send: found after it, it would leave the slot taken
        PendingRequest<TResponse>? slot = TrySendNow(in request);
        return slot is not null
            ? new ValueTask<ResponseLease<TResponse>>(Await(slot, timeout, cancellationToken), slot.Version)
            : RequestLeaseSlowAsync(request, timeout, cancellationToken);
    }

    /// <summary>
    /// Claims a request of <paramref name="length"/> bytes in place (for requests with variable-length fields: build it
    /// with <c>new TRequest.Builder(claim.Payload, ...)</c>, length from <c>TRequest.Builder.LengthFor</c>), waiting up
    /// to <paramref name="timeout"/> for room. Then <see cref="RequestClaim{TRequest, TResponse}.SendAsync"/> it.
    /// Other requests of this client wait until it is sent or disposed, so keep it short.
    /// </summary>
    /// <exception cref="TimeoutException">No room (or no free in-flight slot) within <paramref name="timeout"/>.</exception>
    /// <exception cref="ChannelClosedException">The server died or closed.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative, or <paramref name="timeout"/> is negative other than <see cref="Timeout.InfiniteTimeSpan"/>; nothing was claimed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled, before or during the wait.</exception>
    /// <exception cref="ObjectDisposedException">The client was disposed, before or during the wait.</exception>
    public RequestClaim<TRequest, TResponse> ClaimRequest(int length, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        // Checked once here, so the permit and the gate are taken by one interlocked operation each when free (their
        // waits check again only when they have to wait).
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        RingWait.ThrowIfInvalidTimeout(timeout);
        ThrowIfFaulted();
        cancellationToken.ThrowIfCancellationRequested();

        // Each wait (for a slot, the gate, room) is on the caller's token linked with the client's failure, made only
        // when one is needed: a Dispose or a dead server ends it.
        CancellationTokenSource? ending = null;
        try
        {
            if (!_free.TryTake(out int index) && !_free.Take(timeout, Ending(ref ending, cancellationToken), out index))
            {
                throw NoFreeSlot(timeout);
            }

            try
            {
                if (!_sending.TryWait() && !_sending.Wait(timeout, Ending(ref ending, cancellationToken)))
                {
                    throw SendGateBusy(timeout);
                }

                try
                {
                    int recordLength = RequestEnvelope.Size + length;
                    unsafe
                    {
                        byte* record = _requests.TryClaimPayload(recordLength);
                        if (record == null)
                        {
                            record = _requests.ClaimPayload(recordLength, timeout, Ending(ref ending, cancellationToken));
                        }

                        return new RequestClaim<TRequest, TResponse>(this, _requests, record, recordLength, index);
                    }
                }
                catch
                {
                    ReleaseSending();
                    throw;
                }
            }
            catch
            {
                _free.Give(index);
                throw;
            }
        }
        catch (OperationCanceledException e) when (WaitEnded(e, cancellationToken) is Exception ended && ended != e)
        {
            throw ended;
        }
        finally
        {
            ending?.Dispose();
        }
    }

    // The caller's token linked with the client's failure (_failed, cancelled by a dead server and by Dispose), made
    // on the first wait that needs it.
    private CancellationToken Ending(ref CancellationTokenSource? ending, CancellationToken cancellationToken) =>
        (ending ??= CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _failed.Token)).Token;

    // What ended a wait on Ending's token: the caller's own cancellation (thrown with the caller's token, not the linked
    // one), or the client's failure (its fault, set before _failed is cancelled); anything else is left as it is.
    private Exception WaitEnded(OperationCanceledException canceled, CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested ? (canceled.CancellationToken == cancellationToken ? canceled : new OperationCanceledException(canceled.Message, canceled, cancellationToken))
        : _failed.IsCancellationRequested && Volatile.Read(ref _fault) is Func<Exception> fault ? fault()
        : canceled;

    /// <summary>
    /// Leaves the server (it lets go of this client's response ring) and fails the requests still pending with an
    /// <see cref="ObjectDisposedException"/>.
    /// </summary>
    public void Dispose()
    {
        // Its own flag, not the fault: a client whose server died already has a fault, and must still let go of its
        // rings here (a reply ring left mapped would outlive the process as a stale segment).
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Interlocked.CompareExchange(ref _fault, static () => new ObjectDisposedException(nameof(SharedClient<TRequest, TResponse>), "The client was disposed."), null);

        // Fail every pending request now, before waiting for anything: resolving a slot touches neither ring. From here
        // no parked caller is left to need a reader (a request begun later fails itself in Begin), so a thread letting
        // go of the ring starts no reader loop (ExitReading), and the ring is free for this Dispose to take below.
        FailAll();
        _failed.Cancel(); // ends every send waiting for a slot, the gate or room

        // Cancelling _closing wakes the reader loop and the blocking callers (registered at construction). The service
        // ring and the request ring are closed
        // (disconnect record, then unmapped) by whoever holds the gate once the fault is set: this, if the gate is free
        // within a second, else the thread whose request claim holds it, when the claim ends (ReleaseSending). So a claim's memory is never
        // unmapped under it, and Dispose never waits on a caller's claim for long.
        _closing.Cancel();
        if (_sending.Wait(TimeSpan.FromSeconds(1)))
        {
            ReleaseSending();
        }

        // The response reader is left to nobody: take it from the thread reading it (a drain is short; a parked reader
        // loop wakes on the cancellation and lets go) and keep it.
        var spin = new SpinWait();
        while (Interlocked.CompareExchange(ref _reading, 1, 0) != 0)
        {
            spin.SpinOnce();
        }

        FailAll();
        _responses.Dispose();
    }

    // Lets go of the send gate. Once the client is disposed, the first thread to let go of it closes the service ring and
    // the request ring: the fault is set before Dispose looks at the gate, and each release is followed by this look at the fault, so
    // whichever of Dispose and the last claim ends second finds the gate free and the fault set.
    private void ReleaseSending()
    {
        _sending.Release();
        if (Volatile.Read(ref _fault) is not null && _sending.TryWait())
        {
            // A holder that took the gate meanwhile makes this Wait fail; its own release comes here next.
            if (Interlocked.Exchange(ref _requestsClosed, 1) == 0)
            {
                SendControl(RequestKind.Disconnect, ReadOnlySpan<byte>.Empty);
                _service.Dispose();
                _requests.Dispose();
            }

            _sending.Release();
        }
    }

    internal static async ValueTask<SharedClient<TRequest, TResponse>> ConnectAsync(string name, SharedChannelOptions? options, TimeSpan timeout, CancellationToken cancellationToken)
    {
        options ??= SharedChannelOptions.Default;
        MessageLayout schema = ServiceSchema<TRequest, TResponse>.Layout;
        // A random name: nobody can create it first, or name it in a connect record, before this client made it.
        string responseName = $"{name}.reply-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}";
        if (responseName.Length > Segments.ChannelName.MaxLength)
        {
            throw new ArgumentException($"The server name '{name}' is too long to name a client's response channel after it; use at most {Segments.ChannelName.MaxLength - 39} characters.", nameof(name));
        }

        var responseOptions = new SharedChannelOptions
        {
            Directory = options.Directory,
            Capacity = options.Capacity,
            MaxMessageSize = Math.Min(options.MaxMessageSize, SharedChannelOptions.LargestMessageFor(options.Capacity)),
            SpinCount = options.SpinCount,
        };
        // One duplex channel of our own: requests go into its first ring, responses come back in its second.
        SharedDuplexChannel channel = SharedDuplexChannel.Create(responseName, responseOptions, writeSchema: schema, readSchema: schema);
        long token = ConnectToken.New();
        ConnectToken.Stamp(channel.Reader, token); // the server serves our connect record only if our ring carries its token
        SharedChannelWriter service;
        try
        {
            service = SharedChannel.OpenWriter(name, new SharedChannelOptions { Directory = options.Directory, SpinCount = options.SpinCount }, schema);
        }
        catch (ChannelSchemaMismatchException mismatch) when (ServiceEnvelope.TryReadFormat(mismatch.ActualSchema, out int theirs) && theirs != ServiceEnvelope.Format)
        {
            // Refused before a record was written: say first what no message definition can fix.
            channel.Dispose();
            throw new ChannelSchemaMismatchException(
                $"The server '{name}' frames its requests and responses in envelope format {theirs}, and this client in format {ServiceEnvelope.Format}: " +
                $"they cannot talk. Build client and server with the same NeoBuffer version.{Environment.NewLine}{mismatch.Message}",
                mismatch.ExpectedSchema,
                mismatch.ActualSchema);
        }
        catch (ChannelSchemaMismatchException mismatch) when (ServiceSchemaDifference.Explain(mismatch.ExpectedSchema, mismatch.ActualSchema) is string differences)
        {
            // Another service of the same format: say which of its messages differ, and how.
            channel.Dispose();
            throw new ChannelSchemaMismatchException(
                $"The server '{name}' serves other messages than this client sends or expects:{Environment.NewLine}{differences}{Environment.NewLine}" +
                $"This client's service schema:{Environment.NewLine}{mismatch.ExpectedSchema}{Environment.NewLine}" +
                $"The server's:{Environment.NewLine}{mismatch.ActualSchema}{Environment.NewLine}" +
                "Build client and server with the same message definitions, or connect to the server of these messages.",
                mismatch.ExpectedSchema,
                mismatch.ActualSchema);
        }
        catch
        {
            channel.Dispose();
            throw;
        }

        var client = new SharedClient<TRequest, TResponse>(name, service, channel, token, options.SpinCount);
        try
        {
            await client.HandshakeAsync(Encoding.UTF8.GetBytes(responseName), timeout, cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    // Sends the connect record and waits for the server's acknowledgement, which carries this client's id.
    private async ValueTask HandshakeAsync(byte[] responseName, TimeSpan timeout, CancellationToken cancellationToken)
    {
        long deadline = Environment.TickCount64 + (timeout == Timeout.InfiniteTimeSpan ? int.MaxValue : (long)timeout.TotalMilliseconds);
        await _sending.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (!SendControl(RequestKind.Connect, responseName))
            {
                if (!await _service.WaitToWriteAsync(RequestEnvelope.Size + responseName.Length, Remaining(deadline, timeout), cancellationToken).ConfigureAwait(false))
                {
                    throw new ChannelClosedException($"The server '{_name}' is closed.");
                }
            }
        }
        finally
        {
            ReleaseSending();
        }

        while (true)
        {
            // The server opens our channel before it acknowledges: a server that dies first never takes its rows, so
            // the wait is bounded by the timeout, and each quiet second the service ring's reader is probed.
            TimeSpan slice = TimeSpan.FromMilliseconds(Math.Min(1000, Remaining(deadline, timeout).TotalMilliseconds));
            try
            {
                await _responses.WaitToReadAsync(slice, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                _service.ThrowIfReaderGone();
                ThrowIfPast(deadline, timeout);
                continue;
            }

            while (_responses.TryLease(out ReadLease lease))
            {
                using (lease)
                {
                    if (lease.Length >= ResponseEnvelope.Size && MemoryMarshal.Read<ResponseEnvelope>(lease.Payload) is { Status: ResponseStatus.Connected } ack && ack.CorrelationId == _token)
                    {
                        _clientId = ack.Value;
                        return;
                    }

                    Interlocked.Increment(ref _droppedResponses); // no request is pending yet: anything else answers none
                }

                // After each record, not only when the ring is quiet: a server that writes records other than the
                // acknowledgement as fast as they are read would otherwise keep the client connecting for ever.
                ThrowIfPast(deadline, timeout);
            }
        }
    }

    private void ThrowIfPast(long deadline, TimeSpan timeout)
    {
        if (Environment.TickCount64 >= deadline)
        {
            throw new TimeoutException($"The server '{_name}' did not accept the connection within {timeout.TotalMilliseconds:0.###} ms.");
        }
    }

    private TimeoutException NoFreeSlot(TimeSpan timeout) =>
        new($"All {MaxInFlight} request slots of the client of '{_name}' stayed in use for {timeout.TotalMilliseconds:0.###} ms.");

    private TimeoutException SendGateBusy(TimeSpan timeout) =>
        new($"Another request to '{_name}' was being sent for {timeout.TotalMilliseconds:0.###} ms.");

    private static TimeSpan Remaining(long deadline, TimeSpan timeout) =>
        timeout == Timeout.InfiniteTimeSpan ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(Math.Max(0, deadline - Environment.TickCount64));

    // The fast path: a free slot, the send gate and room in the request ring all at once, or null.
    private PendingRequest<TResponse>? TrySendNow(in TRequest request)
    {
        ThrowIfFaulted();
        if (!_free.TryTake(out int index))
        {
            return null;
        }

        if (!_sending.TryWait())
        {
            _free.Give(index);
            return null;
        }

        try
        {
            PendingRequest<TResponse>? sent = TryWriteRequest(in request, index);
            if (sent is null)
            {
                _free.Give(index);
            }

            return sent;
        }
        catch
        {
            _free.Give(index); // a claim or commit that threw: no request is in flight
            throw;
        }
        finally
        {
            ReleaseSending();
        }
    }

    // The blocking send: at once if a slot, the gate and room are free; else through a claim, which waits for each.
    private PendingRequest<TResponse> Send(in TRequest request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (TrySendNow(in request) is PendingRequest<TResponse> sent)
        {
            return sent;
        }

        RequestClaim<TRequest, TResponse> claim = ClaimRequest(Unsafe.SizeOf<TRequest>(), timeout, cancellationToken);
        MemoryMarshal.Write(claim.Payload, in request);
        return claim.Commit(out _);
    }

    private async ValueTask<TResponse> RequestSlowAsync(TRequest request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        PendingRequest<TResponse> slot = await SendAsync(request, timeout, cancellationToken).ConfigureAwait(false);
        short version = slot.Version;
        return await new ValueTask<TResponse>(Await(slot, timeout, cancellationToken), version).ConfigureAwait(false);
    }

    private async ValueTask<ResponseLease<TResponse>> RequestLeaseSlowAsync(TRequest request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        PendingRequest<TResponse> slot = await SendAsync(request, timeout, cancellationToken).ConfigureAwait(false);
        short version = slot.Version;
        return await new ValueTask<ResponseLease<TResponse>>(Await(slot, timeout, cancellationToken), version).ConfigureAwait(false);
    }

    // The slow path of a send: waits for a slot, the gate and room, each within the request's timeout and on the
    // caller's token linked with the client's failure (made only once a wait needs it, as in ClaimRequest).
    private async ValueTask<PendingRequest<TResponse>> SendAsync(TRequest request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        long deadline = Environment.TickCount64 + (timeout == Timeout.InfiniteTimeSpan ? int.MaxValue : (long)timeout.TotalMilliseconds);
        CancellationTokenSource? ending = null;
        try
        {
            int index = _free.TryTake(out int free) ? free : await _free.TakeAsync(timeout, Ending(ref ending, cancellationToken)).ConfigureAwait(false);
            if (index < 0)
            {
                throw NoFreeSlot(timeout);
            }

            PendingRequest<TResponse>? sent = null;
            try
            {
                if (!_sending.TryWait() && !await _sending.WaitAsync(Remaining(deadline, timeout), Ending(ref ending, cancellationToken)).ConfigureAwait(false))
                {
                    throw SendGateBusy(timeout);
                }

                try
                {
                    while (true)
                    {
                        ThrowIfFaulted();
                        if (TryWriteRequest(in request, index) is PendingRequest<TResponse> slot)
                        {
                            sent = slot;
                            return slot;
                        }

                        if (!await _requests.WaitToWriteAsync(RequestRecordLength, Remaining(deadline, timeout), Ending(ref ending, cancellationToken)).ConfigureAwait(false))
                        {
                            throw new ChannelClosedException($"The server '{_name}' is closed.");
                        }
                    }
                }
                finally
                {
                    ReleaseSending();
                }
            }
            catch when (sent is null)
            {
                _free.Give(index); // not sent; a sent request's index is never given back here (should the gate's release throw after the send, the index is lost, never handed out twice)
                throw;
            }
        }
        catch (OperationCanceledException e) when (WaitEnded(e, cancellationToken) is Exception ended && ended != e)
        {
            throw ended;
        }
        finally
        {
            ending?.Dispose();
        }
    }

    // The record of a fixed-size request: its envelope, then the message.
    private static int RequestRecordLength => RequestEnvelope.Size + Unsafe.SizeOf<TRequest>();

    // Claims the record of a fixed-size request, writes it and commits it in the slot at index; null when the ring has no room.
    private PendingRequest<TResponse>? TryWriteRequest(in TRequest request, int index)
    {
        if (!_requests.TryClaim(RequestRecordLength, out WriteClaim claim))
        {
            return null;
        }

        MemoryMarshal.Write(claim.Payload.Slice(RequestEnvelope.Size), in request);
        return CommitRequest(ref claim, index);
    }

    /// <summary>
    /// Starts the request built in <paramref name="claim"/> in the slot at <paramref name="index"/> (which the caller took
    /// from the free slots), writes its envelope and commits it. If the commit throws, the claim is given back and the
    /// slot reset; the caller gives back its index, as every failed send does, so a failed send leaks nothing.
    /// </summary>
    internal PendingRequest<TResponse> CommitRequest(ref WriteClaim claim, int index)
    {
        PendingRequest<TResponse>? slot = null;
        long id = 0;
        try
        {
            slot = Begin(claim.Payload, index, out id);
            ProtocolPoint.Reached(ProtocolPoint.RequestBegun);
            claim.Commit();
            WakeServer();
            return slot;
        }
        catch (Exception e)
        {
            claim.Dispose();
            slot?.Abandon(id, e);
            throw;
        }
    }

    // The server parks on its service ring's reader word, for every client's request ring at once, so a request committed
    // into ours must wake that word too (the commit woke only our ring's own, which nobody parks on). The commit's
    // release store comes first and this load after it, ordered as any publication and its wake-word load are
    // (Waiting/Publication.cs): the server arms the word, makes its fence and only then looks at our ring again, and it
    // has joined our ring, so if either side cannot use membarrier our ring is marked and the commit fenced. The caller
    // holds the send gate, so the service ring is still mapped.
    private void WakeServer() => RingWait.WakeIfParked(_service.ReaderWakeWord);

    // Starts a use of the slot at index (taken from the free slots) and writes the envelope of its request into the record.
    private PendingRequest<TResponse> Begin(Span<byte> record, int index, out long id)
    {
        PendingRequest<TResponse> slot = _slots[index] ??= new PendingRequest<TResponse>(this, index);
        id = (++_sequence << IndexBits) | (long)index; // under the send gate, whose take and release order the increments
        slot.Begin(id);
        var envelope = new RequestEnvelope { CorrelationId = id, ClientId = _clientId, Kind = RequestKind.Request, Token = _token };
        MemoryMarshal.Write(record, in envelope);

        // Against FailAll: it sets the fault, then scans the slots; this sets the slot, then looks at the fault. The
        // store and the load here are plain (every request pays them); FailAll, which runs once per fault, pays for
        // the order with a process-wide barrier between its two steps: every thread's earlier id store is then
        // visible to its scan, and every later fault load sees the fault. So a slot begun as the client failed is
        // failed by one of the two.
        if (Volatile.Read(ref _fault) is Func<Exception> fault)
        {
            slot.TryFail(id, fault());
        }

        return slot;
    }

    /// <summary>Opens the ticket of a request claim just made (the caller holds the send gate).</summary>
    internal long OpenTicket()
    {
        long ticket = ++_claims; // under the send gate
        Volatile.Write(ref _openClaim, ticket);
        return ticket;
    }

    /// <summary>
    /// Closes the claim of <paramref name="ticket"/> if it is the one open; false for a copy of a claim already sent or
    /// disposed (a <see cref="RequestClaim{TRequest, TResponse}"/> is a struct, and a copy would otherwise take a slot
    /// outside the send gate and give back the gate and a permit a second time).
    /// </summary>
    /// <remarks>
    /// A load and a store, no CAS: the claim is a ref struct, so it and every copy of it live on the stack of the thread
    /// that claimed (safe code cannot hand one to another thread), and that thread's own uses come one after another.
    /// A later claim by another thread writes its ticket only after taking the send gate, which this claim's end lets
    /// go of after this store; so a stale copy reads zero or a later ticket, never its own.
    /// </remarks>
    internal bool TryEndClaim(long ticket)
    {
        if (Volatile.Read(ref _openClaim) != ticket)
        {
            return false;
        }

        Volatile.Write(ref _openClaim, 0);
        return true;
    }

    /// <summary>Ends a send begun by <see cref="ClaimRequest"/> (committed or not: then its slot's index is given back).</summary>
    internal void EndSend(bool sent, int index)
    {
        try
        {
            ReleaseSending();
        }
        finally
        {
            if (!sent)
            {
                _free.Give(index);
            }
        }
    }

    /// <summary>
    /// Spins for the response of <paramref name="slot"/>'s request, reading the response ring whenever no other thread
    /// is; then parks it, making sure a reader loop runs. Returns the slot, to be awaited.
    /// </summary>
    internal PendingRequest<TResponse> Await(PendingRequest<TResponse> slot, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // Read back from the slot, the id is Resolved (not positive) once a resolver has won it, even before the result
        // is set: nothing is left to park for, the await itself waits the moment until the result lands.
        long id = slot.Id;
        long deadline = 0;
        if (id > 0 && !Spin(slot, timeout, ref deadline, cancellationToken))
        {
            slot.Park(id, timeout, deadline, cancellationToken);
            EnsureReader();
        }

        return slot;
    }

    /// <summary>
    /// Spins for the response of <paramref name="slot"/>'s request, then blocks the calling thread until it is resolved
    /// (answered, failed, timed out or cancelled; the caller's GetResult says which). Returns the slot.
    /// </summary>
    /// <remarks>
    /// While no other thread reads the ring, the caller reads it itself and sleeps on the ring's own wake word, so the
    /// server's commit wakes it directly. While another thread does (another blocking caller, or the async reader
    /// loop), it sleeps on <see cref="_handoff"/> until its request is resolved or the ring is free. Either sleep is
    /// <see cref="RingWait.Block{TCondition}(TCondition, ref WakeWords, int, long, CancellationToken)"/>: the word is
    /// armed (full fence) before the condition is checked a last time, and each waker changes what the condition reads
    /// with a full fence before it looks at the word, so a reply (or a release of the ring) that lands between the
    /// caller's last check and its sleep is seen by one side or the other: the caller never sleeps through it.
    /// </remarks>
    internal PendingRequest<TResponse> Wait(PendingRequest<TResponse> slot, TimeSpan timeout, CancellationToken cancellationToken)
    {
        long id = slot.Id;
        long deadline = 0;
        if (Spin(slot, timeout, ref deadline, cancellationToken))
        {
            return slot;
        }

        // A resolver may have won the id already (it reads Resolved) without having set the result: then the wait
        // below is only the spin at the end. Taken for a live id, Resolved would keep this caller waiting for a change
        // that never comes, and at its deadline "time out" a request another thread had answered.
        ProtocolPoint.Reached(ProtocolPoint.RequestWaiting);
        try
        {
            while (id > 0 && slot.Id == id)
            {
                if (Volatile.Read(ref _fault) is Func<Exception> fault)
                {
                    slot.TryFail(id, fault());
                    break;
                }

                bool inTime = TryEnterReading() ? ReadUntilAnswered(slot, id, deadline, cancellationToken) : AwaitReader(slot, id, deadline, cancellationToken);
                if (!inTime)
                {
                    slot.TryTimeOut(id, timeout);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            slot.TryFail(id, new OperationCanceledException(cancellationToken));
        }

        // Resolved (its id CAS'd away): the resolver sets the result right after its CAS.
        slot.WaitUntilResolved();
        return slot;
    }

    // The caller holds the ring: drains it, sleeping on its wake word between responses, until the slot's request is
    // resolved; false at the deadline. A failure of the ring faults the client (which fails the slot too).
    private bool ReadUntilAnswered(PendingRequest<TResponse> slot, long id, long deadline, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                Drain();
                if (slot.Id != id || Volatile.Read(ref _fault) is not null)
                {
                    return true;
                }

                if (!_responses.WaitToReadOr(new ResolvedCondition(this, slot, id), deadline, cancellationToken))
                {
                    return false;
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Fault(e);
            return true;
        }
        finally
        {
            ExitReading();
        }
    }

    // Another thread holds the ring: sleeps until the slot's request is resolved, the ring is let go of (then this
    // caller may take it), or the client faults; false at the deadline.
    private unsafe bool AwaitReader(PendingRequest<TResponse> slot, long id, long deadline, CancellationToken cancellationToken)
    {
        var words = new WakeWords(HandoffWord);
        return RingWait.Block(new HandoffCondition(this, slot, id), ref words, 0, deadline, cancellationToken);
    }

    // Spins for the response; true once the slot is resolved. The spin takes the ring's reading as soon as no other
    // thread holds it, and keeps it until it ends: each check is then one look at the ring's next header, and the ring
    // is drained only when a record is there. (Taken and let go of around every check, as it once was, the reading made
    // each check two interlocked operations and an empty drain: the record was seen later after it landed, and a core
    // the server shares lost that time.) Responses to other callers that come meanwhile are delivered by this drain,
    // as by any reader of the ring; a Dispose, which waits for the reading, fails this slot first, so the spin ends.
    // The reading is let go of before each pause that yields the processor (about every 3 us, FineSpinPoll), and taken
    // again after it: a spinner that lost its core (more spinning threads than cores) holds up the other callers'
    // answers until its next yield at most, not for its whole spin. At each yield the caller's token and deadline are
    // looked at too: a cancelled or late request stops spinning (false) and ends as a parked one would, however long a
    // spin SpinCount gives.
    // The deadline is read from the clock at the first yield (about 3 us in), not before the spin: a request answered
    // within that (nearly all, between processes with a core each) reads no clock, and on a core the server shares the
    // clock's 20-30 ns would be the server's time too. Whenever the spin ends without the response, the deadline is set.
    private bool Spin(PendingRequest<TResponse> slot, TimeSpan timeout, ref long deadline, CancellationToken cancellationToken)
    {
        long checks = FineSpinPoll.Checks(_spinCount);
        bool reading = false;
        try
        {
            for (long check = 0; !slot.IsResolved; check++)
            {
                reading = reading || TryEnterReading();
                if (reading && _responses.HasMessage)
                {
                    Drain();
                    if (slot.IsResolved)
                    {
                        return true;
                    }
                }

                if (check >= checks)
                {
                    deadline = deadline != 0 ? deadline : RingWait.DeadlineOf(timeout);
                    return false;
                }

                if (FineSpinPoll.Yields(check + 1))
                {
                    if (reading)
                    {
                        reading = false;
                        ExitReading();
                    }

                    if (deadline == 0)
                    {
                        deadline = RingWait.DeadlineOf(timeout);
                    }

                    if (cancellationToken.IsCancellationRequested || MonotonicClock.NowNs >= deadline)
                    {
                        return false;
                    }
                }

                FineSpinPoll.Pause(check + 1);
            }

            return true;
        }
        catch (Exception e)
        {
            Fault(e); // fails every pending request: this slot too, unless another resolver won it first
        }
        finally
        {
            if (reading)
            {
                ExitReading();
            }
        }

        // Only after a fault: whoever won the slot sets its result right after its CAS.
        slot.WaitUntilResolved();
        return true;
    }

    string IPendingOwner.Name => _name;

    void IPendingOwner.ParkedChanged(int delta) => Interlocked.Add(ref _parked, delta);

    // Right after a resolution's CAS (a full fence): one load when no blocking caller sleeps on the handoff word.
    void IPendingOwner.Answered() => RingWait.WakeIfParked(HandoffWord);

    void IPendingOwner.GiveBack(int index) => _free.Give(index);

    SpareResponseBuffer IPendingOwner.Spare { get; } = new();

    /// <summary>Takes the response ring's reading (one thread at a time drains it); false when another thread holds it.</summary>
    internal bool TryEnterReading() => Volatile.Read(ref _reading) == 0 && Interlocked.CompareExchange(ref _reading, 1, 0) == 0;

    // Letting go of the reader, then looking for parked callers, against a caller counting itself parked, then trying
    // to take the reader (EnsureReader): both through full fences, so either the caller takes it or this sees the caller.
    // A blocking caller arms the handoff word (full fence) before it checks the reader is taken, and this looks at the
    // word after the exchange, so either it sees the ring free or this wakes it to take the ring.
    // Once the client is faulted no reader is started: whoever set the fault fails every pending request (Fault,
    // Dispose), so the parked callers are being resolved, not waiting for the ring. Starting one anyway would run a loop
    // that sees the fault, lets go and, finding the count not yet down, starts another on the same stack, again and
    // again until the count drops: a stack overflow when that takes long (a Dispose waiting for the send gate).
    internal void ExitReading()
    {
        Interlocked.Exchange(ref _reading, 0);
        RingWait.WakeIfParked(HandoffWord);
        if (Volatile.Read(ref _parked) > 0 && Volatile.Read(ref _fault) is null)
        {
            EnsureReader();
        }
    }

    /// <summary>Whether a thread holds the response ring's reading now.</summary>
    internal bool ReadingHeld => Volatile.Read(ref _reading) != 0;

    /// <summary>Free slots, each a request's in-flight permit (all <see cref="MaxInFlight"/> of them when no request is in flight).</summary>
    internal int FreeSlots => _free.Count;

    /// <summary>Sends that found no free slot at once and waited for one, so far (tests).</summary>
    internal long SlotWaits => _free.Waits;

    /// <summary>Blocking waits for a response that slept on a futex (each counted once, before its first sleep).</summary>
    internal long BlockedSleeps => Volatile.Read(ref _blockedSleeps);

    private unsafe nint HandoffWord => (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_handoff));

    // Dispose: the blocking callers (on the ring's word or the handoff word) wake and find the fault.
    private void WakeBlockedCallers()
    {
        RingWait.WakeWord(HandoffWord);
        RingWait.WakeWord(_responses.WakeWord);
    }

    private void EnsureReader()
    {
        if (TryEnterReading())
        {
            _ = ReadWhileParkedAsync();
        }
    }

    // The reader loop: owns the response ring while any async caller is parked, parking on its futex word between
    // responses. It starts on the thread of the caller that parked (which has spun already, so it parks at once) and
    // continues on the process's futex waiter thread that sees each wake: the drain runs there, and each awaiter's
    // continuation is queued to the thread pool by its slot (RunContinuationsAsynchronously), so a parked request
    // costs one hop, waiter thread to pool. The slots run their continuations asynchronously on purpose: inline, a
    // caller's code would run on the waiter thread (every async wait of the process waiting behind it) while this loop
    // holds the ring (a continuation that made a blocking request would wait for a reader that never comes back). A
    // continuation captured with a context is posted to it from the pool too, never from here (PendingRequest.OnCompleted).
    private async Task ReadWhileParkedAsync()
    {
        try
        {
            while (true)
            {
                Drain();
                if (Volatile.Read(ref _parked) == 0 || _fault is not null)
                {
                    return;
                }

                if (!await _responses.ParkToReadOnWaiterThreadAsync(_closing.Token).ConfigureAwait(false))
                {
                    Fault(new ChannelClosedException($"The server '{_name}' closed this client's response channel."));
                    return;
                }
            }
        }
        catch (Exception e)
        {
            Fault(e);
        }
        finally
        {
            ExitReading(); // a Dispose waiting for the reader takes it from here
        }
    }

    // Delivers every response waiting in the ring to its slot. Only the holder of _reading calls it.
    private void Drain()
    {
        ResponseDelivery.Enter(); // caller code never runs in here; should it, it must not block on this ring (ResponseDelivery)
        try
        {
            DrainMarked();
        }
        finally
        {
            ResponseDelivery.Exit();
        }
    }

    private void DrainMarked()
    {
        while (_responses.TryLease(out ReadLease lease))
        {
            using (lease)
            {
                if (!TryDeliver(lease.Payload))
                {
                    Interlocked.Increment(ref _droppedResponses);
                }
            }
        }
    }

    // Hands one response-ring record to the request it answers; false when it answers none. Only the server writes this
    // ring, and the ring itself checked the record's framing (a broken frame throws ChannelCorruptedException from
    // TryLease: then nothing after it can be found, and the client faults). So a record that is well framed but whose
    // envelope is wrong (shorter than the envelope, a status no server writes here, a Value that is not 0, an id no
    // request is pending under) is the server's mistake or malice, confined to that record: it is dropped and counted,
    // the ring is read on, and nothing is thrown here, where every pending request would fail with it. A server can
    // fail or starve any request of this client anyway; it cannot complete one with another's answer (the slot's CAS
    // of the exact id), and it cannot fail the others through a bad record.
    private bool TryDeliver(ReadOnlySpan<byte> record)
    {
        if (record.Length < ResponseEnvelope.Size)
        {
            return false;
        }

        ResponseEnvelope envelope = MemoryMarshal.Read<ResponseEnvelope>(record);
        long index = envelope.CorrelationId & IndexMask;
        return envelope.Status is ResponseStatus.Ok or ResponseStatus.Failed
            && envelope.Value == 0
            && envelope.CorrelationId > 0
            && index < MaxInFlight
            && _slots[index] is PendingRequest<TResponse> slot
            && slot.TryRespond(envelope.CorrelationId, envelope.Status, record.Slice(ResponseEnvelope.Size));
    }

    private void Fault(Exception error)
    {
        ChannelClosedException closed = error switch
        {
            OperationCanceledException or ObjectDisposedException when _closing.IsCancellationRequested => new ChannelClosedException($"The client of '{_name}' was disposed."),
            ChannelClosedException c when c.Message.Contains("died", StringComparison.Ordinal) =>
                new ChannelClosedException($"The server '{_name}' died; its pending requests were not answered. {c.Message}", c),
            _ => new ChannelClosedException($"The server '{_name}' can no longer be reached: {error.Message}", error),
        };
        Interlocked.CompareExchange(ref _fault, () => new ChannelClosedException(closed.Message, closed.InnerException), null);
        FailAll();
        _failed.Cancel();
    }

    private void FailAll()
    {
        Func<Exception> fault = Volatile.Read(ref _fault)!;
        Interlocked.MemoryBarrierProcessWide(); // the fence of Begin's plain id store and fault load (see there)
        foreach (PendingRequest<TResponse>? slot in _slots)
        {
            long id = slot?.Id ?? 0;
            if (id > 0)
            {
                slot!.TryFail(id, fault());
            }
        }
    }

    private void ThrowIfFaulted()
    {
        if (Volatile.Read(ref _fault) is Func<Exception> fault)
        {
            throw fault();
        }
    }

    // A control record (connect, disconnect) written now if there is room; the caller holds the send gate.
    private bool SendControl(int kind, ReadOnlySpan<byte> body)
    {
        try
        {
            if (!_service.TryClaim(RequestEnvelope.Size + body.Length, out WriteClaim claim))
            {
                return false;
            }

            var envelope = new RequestEnvelope { ClientId = _clientId, Kind = kind, Token = _token };
            MemoryMarshal.Write(claim.Payload, in envelope);
            body.CopyTo(claim.Payload.Slice(RequestEnvelope.Size));
            claim.Commit();
            return true;
        }
        catch (Exception e) when (e is SharedChannelException or ObjectDisposedException)
        {
            return false;
        }
    }

    // The ring's reader waits for a response or for its request resolved by other means (cancellation, a fault): those
    // wake the ring's word themselves (the token's registration, WakeBlockedCallers).
    private readonly struct ResolvedCondition(SharedClient<TRequest, TResponse> client, PendingRequest<TResponse> slot, long id) : IWaitCondition
    {
        public bool IsSatisfied() => slot.Id != id || Volatile.Read(ref client._fault) is not null;

        public void ReclaimFromDeadPeers()
        {
        }

        public void OnParking() => Interlocked.Increment(ref client._blockedSleeps);
    }

    // A caller waiting for another thread's reading: its request resolved, the ring free to take, or the client faulted.
    private readonly struct HandoffCondition(SharedClient<TRequest, TResponse> client, PendingRequest<TResponse> slot, long id) : IWaitCondition
    {
        public bool IsSatisfied() => slot.Id != id || Volatile.Read(ref client._reading) == 0 || Volatile.Read(ref client._fault) is not null;

        public void ReclaimFromDeadPeers()
        {
            // The thread that reads the ring checks the server; this one waits for that thread.
        }

        public void OnParking() => Interlocked.Increment(ref client._blockedSleeps);
    }

    private static void ThrowIfVariable<T>(string instead) where T : unmanaged, IChannelMessage<T>
    {
        if (!T.Layout.IsCopiedWhole)
        {
            throw new InvalidOperationException($"{typeof(T).Name} has variable-length fields or a version (its records start with a block prefix), so it cannot be copied whole: {instead}.");
        }
    }
}
