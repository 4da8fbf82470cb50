using System;
using NeoBuffer.Requests;

namespace NeoBuffer;

/// <summary>
/// A response claimed in place in a client's response ring (<see cref="IncomingRequest{TRequest, TResponse}.TryClaimReply"/>):
/// build it in <see cref="Payload"/> with the response type's generated <c>Builder</c>, then <see cref="Commit"/>.
/// Disposing without committing gives the space back and leaves the request unanswered. Other replies to the same
/// client wait until this one is committed or disposed, so keep it short.
/// </summary>
public ref struct ReplyClaim
{
    private WriteClaim _claim;
    private IAnswerable? _request;
    private readonly long _generation;
    private ServerClient? _client;

    internal ReplyClaim(IAnswerable request, long generation, ServerClient client, WriteClaim claim, Span<byte> payload)
    {
        _request = request;
        _generation = generation;
        _client = client;
        _claim = claim;
        Payload = payload;
    }

    /// <summary>The response's bytes, in shared memory: write every byte (a generated <c>Builder</c> does).</summary>
    public Span<byte> Payload { get; private set; }

    /// <summary>Sends the response.</summary>
    /// <exception cref="InvalidOperationException">The claim was already committed or disposed.</exception>
    public void Commit()
    {
        ServerClient client = _client ?? throw new InvalidOperationException("This reply was already committed or disposed.");
        _claim.Commit();
        End(client, answered: true);
    }

    /// <summary>Gives the space back unless the response was committed.</summary>
    public void Dispose()
    {
        if (_client is ServerClient client)
        {
            _claim.Dispose();
            End(client, answered: false);
        }
    }

    // The gate is let go of before the answer ends: a request ended meanwhile then owes its failure, which takes the gate.
    private void End(ServerClient client, bool answered)
    {
        IAnswerable request = _request!;
        _client = null;
        _request = null;
        Payload = default;
        client.Exit();
        request.EndAnswer(_generation, answered);
    }
}
