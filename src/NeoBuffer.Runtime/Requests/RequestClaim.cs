using System;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Requests;

namespace NeoBuffer;

/// <summary>
/// A request claimed in place in the server's request ring (<see cref="SharedClient{TRequest, TResponse}.ClaimRequest"/>):
/// build it in <see cref="Payload"/> with the request type's generated <c>Builder</c>, then <see cref="SendAsync"/>.
/// Disposing without sending gives the space back.
/// </summary>
/// <typeparam name="TRequest">The request message type.</typeparam>
/// <typeparam name="TResponse">The response message type.</typeparam>
public ref struct RequestClaim<TRequest, TResponse>
    where TRequest : unmanaged, IChannelMessage<TRequest>
    where TResponse : unmanaged, IChannelMessage<TResponse>
{
    private SharedClient<TRequest, TResponse>? _client;
    private WriteClaim _claim;

    internal RequestClaim(SharedClient<TRequest, TResponse> client, WriteClaim claim)
    {
        _client = client;
        _claim = claim;
        Payload = claim.Payload.Slice(RequestEnvelope.Size);
    }

    /// <summary>The request's bytes, in shared memory: write every byte (a generated <c>Builder</c> does).</summary>
    public Span<byte> Payload { get; private set; }

    /// <summary>Sends the request and returns its response (as <see cref="SharedClient{TRequest, TResponse}.RequestLeaseAsync"/> does).</summary>
    /// <exception cref="InvalidOperationException">The claim was already sent or disposed.</exception>
    public ValueTask<ResponseLease<TResponse>> SendAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        SharedClient<TRequest, TResponse> client = _client ?? throw new InvalidOperationException("This request was already sent or disposed.");
        _client = null;
        Payload = default;
        PendingRequest<TResponse> slot;
        try
        {
            slot = client.Begin(_claim.Payload);
            _claim.Commit();
        }
        catch
        {
            _claim.Dispose();
            client.EndSend(sent: false);
            throw;
        }

        client.EndSend(sent: true);
        short version = slot.Version;
        return new ValueTask<ResponseLease<TResponse>>(client.Await(slot, timeout, cancellationToken), version);
    }

    /// <summary>Gives the space back unless the request was sent.</summary>
    public void Dispose()
    {
        if (_client is SharedClient<TRequest, TResponse> client)
        {
            _client = null;
            Payload = default;
            _claim.Dispose();
            client.EndSend(sent: false);
        }
    }
}
