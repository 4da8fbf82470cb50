using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using NeoBuffer.Requests;

namespace NeoBuffer;

/// <summary>
/// One request a <see cref="SharedServer{TRequest, TResponse}"/> received: the request message and the way back to its
/// client. Reply once, from any thread, then dispose it (<see cref="SharedServer{TRequest, TResponse}.ServeAsync"/>
/// disposes it for you when the handler ends). Holding it holds back no other client: a request from
/// <see cref="SharedServer{TRequest, TResponse}.TryRead"/> or <see cref="SharedServer{TRequest, TResponse}.ReadAllAsync"/>
/// is a copy; one given to a <see cref="SharedServer{TRequest, TResponse}.ServeAsync"/> handler is read in place in
/// its client's request ring while the handler runs synchronously, and copied out only if the handler returns before it
/// has finished.
/// </summary>
/// <remarks>
/// <para>
/// A small handle, like a <see cref="ValueTask"/>: the server keeps what a request needs in pooled storage, so reading
/// and answering requests allocates nothing, and this handle is that storage plus the number of the one use it is for.
/// Copies of the handle are the same request. Once the request has ended (disposed, or its handler returned), every
/// copy throws <see cref="InvalidOperationException"/> on any use but <see cref="IsAnswered"/> and <see cref="Dispose"/>:
/// a late reply can never reach the request the storage serves next. A reply already waiting (<see cref="ReplyAsync"/>
/// not awaited) when the request ends still answers this request, and no other.
/// </para>
/// <para>
/// Disposing a request that was not replied to tells its client the request failed ("ended without a reply"), so no
/// client waits for an answer that never comes. <c>default</c> is no request: every use but <see cref="Dispose"/> throws.
/// </para>
/// </remarks>
/// <typeparam name="TRequest">The request message type.</typeparam>
/// <typeparam name="TResponse">The response message type.</typeparam>
public readonly struct IncomingRequest<TRequest, TResponse> : IDisposable
    where TRequest : unmanaged, IChannelMessage<TRequest>
    where TResponse : unmanaged, IChannelMessage<TResponse>
{
    private readonly PooledRequest<TRequest, TResponse>? _request;
    private readonly long _generation;

    internal IncomingRequest(PooledRequest<TRequest, TResponse> request, long generation)
    {
        _request = request;
        _generation = generation;
    }

    /// <summary>
    /// The request's bytes: read them with <c>new TRequest.View(request.Payload)</c>. Get them again after an
    /// <c>await</c> (a span cannot be kept across one): in a <see cref="SharedServer{TRequest, TResponse}.ServeAsync"/>
    /// handler, the span got before the handler's first unfinished <c>await</c> points into the shared ring, and the one
    /// got after it into the copy made when the handler returned. Valid until the request ends.
    /// </summary>
    /// <exception cref="InvalidOperationException">The request has ended.</exception>
    public ReadOnlySpan<byte> Payload => Request.Payload(_generation);

    /// <summary>The request, copied out (for request types without variable-length fields).</summary>
    /// <exception cref="MessageFormatException">The request's length is not the size of <typeparamref name="TRequest"/>, or <typeparamref name="TRequest"/> is versioned or has variable-length fields (read it through its view).</exception>
    /// <exception cref="InvalidOperationException">The request has ended.</exception>
    public TRequest Message
    {
        get
        {
            ReadOnlySpan<byte> payload = Payload;
            if (!TRequest.Layout.IsCopiedWhole || payload.Length != Unsafe.SizeOf<TRequest>())
            {
                throw new MessageFormatException($"The request has {payload.Length} bytes, but {typeof(TRequest).Name} has {Unsafe.SizeOf<TRequest>()}: read it through {typeof(TRequest).Name}.View.");
            }

            return MemoryMarshal.Read<TRequest>(payload);
        }
    }

    /// <summary>The id the server gave the client that sent this request (unique for the server's lifetime).</summary>
    /// <exception cref="InvalidOperationException">The request has ended.</exception>
    public int ClientId => Request.ClientId(_generation);

    /// <summary>Whether a reply (or a failure) was sent for this request; true once it has ended.</summary>
    public bool IsAnswered => Request.IsAnswered(_generation);

    /// <summary>
    /// Sends <paramref name="response"/> if the client's response ring has room now. False when it is full (a client
    /// that does not read its responses), when another reply to the same client is in progress, or when the client is
    /// gone; the request is then still unanswered.
    /// </summary>
    /// <exception cref="InvalidOperationException">The request has ended or was already answered, or <typeparamref name="TResponse"/> has variable-length fields.</exception>
    public bool TryReply(in TResponse response)
    {
        ThrowIfVariable();
        return Request.TrySend(_generation, ResponseStatus.Ok, MemoryMarshal.AsBytes(new ReadOnlySpan<TResponse>(in response)));
    }

    /// <summary>
    /// Sends <paramref name="response"/>, waiting for room in this client's response ring for at most the server's
    /// <see cref="SharedServer{TRequest, TResponse}.ReplyTimeout"/>. Only replies to this one client wait: a client
    /// that does not read its responses costs only its own replies.
    /// </summary>
    /// <exception cref="InvalidOperationException">The request has ended or was already answered, or <typeparamref name="TResponse"/> has variable-length fields.</exception>
    /// <exception cref="TimeoutException">The client's ring stayed full for the whole reply timeout, or <see cref="SharedClient{TRequest, TResponse}.MaxInFlight"/> replies to this client were waiting already (it sends requests and reads no answers); the reply is dropped.</exception>
    /// <exception cref="ChannelClosedException">The client is gone (it disconnected or died); the reply is dropped.</exception>
    public ValueTask ReplyAsync(TResponse response, CancellationToken cancellationToken = default)
    {
        ThrowIfVariable();
        return Request.ReplyAsync(_generation, response, cancellationToken);
    }

    /// <summary>
    /// Claims a response of <paramref name="length"/> bytes in the client's response ring if it has room now: build it
    /// in place with <c>new TResponse.Builder(claim.Payload, ...)</c> (length from <c>TResponse.Builder.LengthFor</c>),
    /// then <see cref="ReplyClaim.Commit"/>. False when the ring is full or another reply to this client is in progress.
    /// </summary>
    /// <exception cref="InvalidOperationException">The request has ended or was already answered.</exception>
    public bool TryClaimReply(int length, out ReplyClaim claim) => Request.TryClaimReply(_generation, length, out claim);

    /// <summary>
    /// Answers the request with a failure: the client's request ends with a <see cref="RequestFailedException"/>
    /// carrying <paramref name="reason"/>. Returns false when the client's ring has no room for it or the client is gone.
    /// </summary>
    /// <exception cref="InvalidOperationException">The request has ended or was already answered.</exception>
    public bool TryFail(string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        return Request.TrySend(_generation, ResponseStatus.Failed, PooledRequest<TRequest, TResponse>.ReasonText(reason));
    }

    /// <summary>
    /// Ends the request: one that was never answered is failed ("ended without a reply") so its client does not wait
    /// for it. Every copy of this handle is ended with it. Disposing an ended request does nothing.
    /// </summary>
    public void Dispose() => _request?.End(_generation, EndedWithoutReply);

    /// <summary>The failure a request ended without a reply gets.</summary>
    internal const string EndedWithoutReply = "the server ended the request without a reply";

    /// <summary>Ends the request, failing it with <paramref name="reason"/> if it was never answered.</summary>
    internal void End(string reason) => _request?.End(_generation, reason);

    private PooledRequest<TRequest, TResponse> Request =>
        _request ?? throw new InvalidOperationException("This is a default IncomingRequest: it is no request. Use the ones SharedServer.TryRead, ReadAllAsync and ServeAsync give.");

    private static void ThrowIfVariable()
    {
        if (!TResponse.Layout.IsCopiedWhole)
        {
            throw new InvalidOperationException(
                $"{typeof(TResponse).Name} has variable-length fields or a version (its records start with a block prefix), so it cannot be copied in whole: build it in place with TryClaimReply and {typeof(TResponse).Name}.Builder.");
        }
    }
}
