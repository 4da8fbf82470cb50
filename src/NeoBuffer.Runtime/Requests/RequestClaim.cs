using System;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Sources;
using NeoBuffer.Requests;
using NeoBuffer.Waiting;

namespace NeoBuffer;

/// <summary>
/// A request claimed in place in this client's request ring (<see cref="SharedClient{TRequest, TResponse}.ClaimRequest"/>):
/// build it in <see cref="Payload"/> with the request type's generated <c>Builder</c>, then <see cref="SendAsync"/>.
/// Disposing without sending gives the space back.
/// </summary>
/// <typeparam name="TRequest">The request message type.</typeparam>
/// <typeparam name="TResponse">The response message type.</typeparam>
public ref struct RequestClaim<TRequest, TResponse>
    where TRequest : unmanaged, IChannelMessage<TRequest>
    where TResponse : unmanaged, IChannelMessage<TResponse>
{
    private readonly long _ticket;
    private readonly int _slot; // the index of the free slot the claim took: its in-flight permit
    private SharedClient<TRequest, TResponse>? _client;
    private WriteClaim _claim;

    // Built from the record (envelope and request) its client just claimed, so the claim's fields are written once,
    // where they live: a WriteClaim returned and then copied into this struct was read back with wide loads from
    // narrower stores just made, which the store buffer cannot forward (about a tenth of the request path's CPU on the
    // Intel Xeon host, docs/benchmarks/notes.md).
    internal unsafe RequestClaim(SharedClient<TRequest, TResponse> client, SharedChannelWriter ring, byte* record, int length, int slot)
    {
        _client = client;
        _slot = slot;
        _claim = new WriteClaim(ring, ring.OpenClaim, new Span<byte>(record, length));
        Payload = new Span<byte>(record + RequestEnvelope.Size, length - RequestEnvelope.Size);
        _ticket = client.OpenTicket();
    }

    /// <summary>The request's bytes, in shared memory: write every byte (a generated <c>Builder</c> does).</summary>
    public Span<byte> Payload { get; private set; }

    /// <summary>Sends the request and returns its response (as <see cref="SharedClient{TRequest, TResponse}.RequestLeaseAsync"/> does).</summary>
    /// <exception cref="InvalidOperationException">The claim was already sent or disposed.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative, other than <see cref="Timeout.InfiniteTimeSpan"/>; the claim is given back, not sent.</exception>
    public ValueTask<ResponseLease<TResponse>> SendAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        DisposeIfInvalid(timeout);
        PendingRequest<TResponse> slot = Commit(out SharedClient<TRequest, TResponse> client);
        short version = slot.Version;
        return new ValueTask<ResponseLease<TResponse>>(client.Await(slot, timeout, cancellationToken), version);
    }

    /// <summary>
    /// Sends the request and blocks the calling thread until its response arrives (as
    /// <see cref="SharedClient{TRequest, TResponse}.RequestLease"/> does): no thread-pool thread is involved.
    /// </summary>
    /// <exception cref="InvalidOperationException">The claim was already sent or disposed, or this is a thread that delivers responses (see <see cref="SharedClient{TRequest, TResponse}.Request(TRequest, TimeSpan, CancellationToken)"/>); the claim is then not sent.</exception>
    /// <exception cref="TimeoutException">No response within <paramref name="timeout"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative, other than <see cref="Timeout.InfiniteTimeSpan"/>; the claim is given back, not sent.</exception>
    /// <exception cref="RequestFailedException">The server's handler failed the request.</exception>
    /// <exception cref="System.Threading.Channels.ChannelClosedException">The server died or closed.</exception>
    public ResponseLease<TResponse> Send(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ResponseDelivery.ThrowIfBlockingForbidden((_client ?? throw new InvalidOperationException("This request was already sent or disposed.")).Name);
        DisposeIfInvalid(timeout);
        PendingRequest<TResponse> slot = Commit(out SharedClient<TRequest, TResponse> client);
        short version = slot.Version;
        return ((IValueTaskSource<ResponseLease<TResponse>>)client.Wait(slot, timeout, cancellationToken)).GetResult(version);
    }

    // A timeout refused before the send gives the claim back (it is not sent), so the refusal holds up no other request.
    private void DisposeIfInvalid(TimeSpan timeout)
    {
        try
        {
            RingWait.ThrowIfInvalidTimeout(timeout);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Commits the request and lets go of the send gate; returns the slot its response will resolve.</summary>
    internal PendingRequest<TResponse> Commit(out SharedClient<TRequest, TResponse> client)
    {
        client = _client ?? throw new InvalidOperationException("This request was already sent or disposed.");
        _client = null;
        Payload = default;
        if (!client.TryEndClaim(_ticket))
        {
            throw new InvalidOperationException("This request was already sent or disposed (through a copy of this claim).");
        }
        PendingRequest<TResponse> slot;
        try
        {
            slot = client.CommitRequest(ref _claim, _slot); // a commit that throws gives back the claim and resets the slot
        }
        catch
        {
            client.EndSend(sent: false, _slot);
            throw;
        }

        client.EndSend(sent: true, _slot);
        return slot;
    }

    /// <summary>Gives the space back unless the request was sent.</summary>
    public void Dispose()
    {
        if (_client is SharedClient<TRequest, TResponse> client)
        {
            _client = null;
            Payload = default;
            if (client.TryEndClaim(_ticket))
            {
                _claim.Dispose();
                client.EndSend(sent: false, _slot);
            }
        }
    }
}
