using System;
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using NeoBuffer.Requests;

namespace NeoBuffer;

/// <summary>
/// One request a <see cref="SharedServer{TRequest, TResponse}"/> received: the request message (copied out of the
/// shared request ring, so holding it holds back no other client) and the way back to its client. Reply once, from any
/// thread, then dispose it (<see cref="SharedServer{TRequest, TResponse}.ServeAsync"/> disposes it for you).
/// </summary>
/// <remarks>
/// Instances are pooled by their server: do not use one after disposing it. Disposing a request that was not replied
/// to tells its client the request failed ("ended without a reply"), so no client waits for an answer that never comes.
/// </remarks>
/// <typeparam name="TRequest">The request message type.</typeparam>
/// <typeparam name="TResponse">The response message type.</typeparam>
public sealed class IncomingRequest<TRequest, TResponse> : IDisposable, IAnswerable
    where TRequest : unmanaged, IChannelMessage<TRequest>
    where TResponse : unmanaged, IChannelMessage<TResponse>
{
    private readonly SharedServer<TRequest, TResponse> _server;
    private ServerClient? _client;
    private long _correlationId;
    private byte[] _buffer = [];
    private int _length;
    private int _answered;

    internal IncomingRequest(SharedServer<TRequest, TResponse> server) => _server = server;

    /// <summary>The request's bytes: read them with <c>new TRequest.View(request.Payload)</c>.</summary>
    public ReadOnlySpan<byte> Payload => _buffer.AsSpan(0, _length);

    /// <summary>The request, copied out (for request types without variable-length fields).</summary>
    /// <exception cref="MessageFormatException">The request's length is not the size of <typeparamref name="TRequest"/>, or <typeparamref name="TRequest"/> is versioned or has variable-length fields (read it through its view).</exception>
    public TRequest Message
    {
        get
        {
            if (!TRequest.Layout.IsCopiedWhole || _length != Unsafe.SizeOf<TRequest>())
            {
                throw new MessageFormatException($"The request has {_length} bytes, but {typeof(TRequest).Name} has {Unsafe.SizeOf<TRequest>()}: read it through {typeof(TRequest).Name}.View.");
            }

            return MemoryMarshal.Read<TRequest>(Payload);
        }
    }

    /// <summary>The id the server gave the client that sent this request (unique for the server's lifetime).</summary>
    public int ClientId => _client?.Id ?? 0;

    /// <summary>Whether a reply (or a failure) was sent for this request.</summary>
    public bool IsAnswered => Volatile.Read(ref _answered) != 0;

    /// <summary>
    /// Sends <paramref name="response"/> if the client's response ring has room now. False when it is full (a client
    /// that does not read its responses), or when the client is gone; the request is then still unanswered.
    /// </summary>
    /// <exception cref="InvalidOperationException">The request was already answered, or <typeparamref name="TResponse"/> has variable-length fields.</exception>
    public bool TryReply(in TResponse response)
    {
        ThrowIfVariable();
        return TrySend(ResponseStatus.Ok, MemoryMarshal.AsBytes(new ReadOnlySpan<TResponse>(in response)));
    }

    /// <summary>
    /// Sends <paramref name="response"/>, waiting for room in this client's response ring for at most the server's
    /// <see cref="SharedServer{TRequest, TResponse}.ReplyTimeout"/>. Only replies to this one client wait: a client
    /// that does not read its responses costs only its own replies.
    /// </summary>
    /// <exception cref="TimeoutException">The client's ring stayed full for the whole reply timeout; the reply is dropped.</exception>
    /// <exception cref="ChannelClosedException">The client is gone (it disconnected or died); the reply is dropped.</exception>
    public ValueTask ReplyAsync(TResponse response, CancellationToken cancellationToken = default)
    {
        if (TryReply(in response))
        {
            return ValueTask.CompletedTask;
        }

        return ReplySlowAsync(response, cancellationToken);
    }

    /// <summary>
    /// Claims a response of <paramref name="length"/> bytes in the client's response ring if it has room now: build it
    /// in place with <c>new TResponse.Builder(claim.Payload, ...)</c> (length from <c>TResponse.Builder.LengthFor</c>),
    /// then <see cref="ReplyClaim.Commit"/>. False when the ring is full or another reply to this client is in progress.
    /// </summary>
    /// <exception cref="InvalidOperationException">The request was already answered.</exception>
    public bool TryClaimReply(int length, out ReplyClaim claim)
    {
        ThrowIfAnswered();
        ServerClient client = _client!;
        if (!client.TryEnter())
        {
            claim = default;
            return false;
        }

        if (!client.TryClaim(_correlationId, ResponseStatus.Ok, 0, length, out WriteClaim raw, out Span<byte> body))
        {
            client.Exit();
            claim = default;
            return false;
        }

        claim = new ReplyClaim(this, client, raw, body);
        return true;
    }

    /// <summary>
    /// Answers the request with a failure: the client's request ends with a <see cref="RequestFailedException"/>
    /// carrying <paramref name="reason"/>. Returns false when the client's ring has no room for it or the client is gone.
    /// </summary>
    public bool TryFail(string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        ThrowIfAnswered();
        return TrySend(ResponseStatus.Failed, ReasonText(reason));
    }

    /// <summary>
    /// Ends the request: one that was never answered is failed ("ended without a reply") so its client does not wait
    /// for it; then the instance goes back to its server's pool.
    /// </summary>
    public void Dispose()
    {
        if (_client is null)
        {
            return;
        }

        if (!IsAnswered)
        {
            FailEventually("the server ended the request without a reply");
        }

        _client = null;
        _server.Return(this);
    }

    internal void Start(ServerClient client, long correlationId, ReadOnlySpan<byte> request)
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
        _client = client;
        _correlationId = correlationId;
        _answered = 0;
    }

    /// <summary>
    /// Answers the request with a failure now if the client's gate and ring allow it, else from a background wait for
    /// both bounded by the reply timeout, as <see cref="ReplyAsync"/> waits: a failure the server owes (a handler that
    /// threw or returned without replying) must not be dropped because another reply to the same client is in progress.
    /// </summary>
    internal void FailEventually(string reason)
    {
        ServerClient client = _client!;
        byte[] text = ReasonText(reason);
        MarkAnswered(); // from here the failure is on its way; nothing else answers this request
        if (client.TryEnter())
        {
            try
            {
                if (client.TryWrite(_correlationId, ResponseStatus.Failed, 0, text))
                {
                    return;
                }
            }
            finally
            {
                client.Exit();
            }
        }

        // The wait captures the client and the id, not this instance: it goes back to the pool at once.
        _ = FailSlowAsync(client, _correlationId, text, _server.ReplyTimeout);
    }

    private static async Task FailSlowAsync(ServerClient client, long correlationId, byte[] text, TimeSpan timeout)
    {
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
                    if (left <= TimeSpan.Zero || !await client.Writer.WaitToWriteAsync(ResponseEnvelope.Size + text.Length, left, CancellationToken.None).ConfigureAwait(false))
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
        catch (Exception e) when (e is TimeoutException or ChannelClosedException or SharedChannelException or ObjectDisposedException)
        {
            // The client stopped reading for the whole reply timeout or went away: like a reply, the failure is dropped
            // and the client's own timeout (or its dead server check) ends the request.
        }
    }

    // A failure's text as sent: UTF-8, at most 1 KiB.
    private static byte[] ReasonText(string reason)
    {
        byte[] text = Encoding.UTF8.GetBytes(reason);
        return text.Length <= 1024 ? text : text.AsSpan(0, 1024).ToArray();
    }

    void IAnswerable.MarkAnswered() => MarkAnswered();

    private void MarkAnswered() => Volatile.Write(ref _answered, 1);

    private bool TrySend(int status, ReadOnlySpan<byte> body)
    {
        ThrowIfAnswered();
        ServerClient client = _client!;
        if (!client.TryEnter())
        {
            return false;
        }

        try
        {
            if (!client.TryWrite(_correlationId, status, 0, body))
            {
                return false;
            }

            MarkAnswered();
            return true;
        }
        finally
        {
            client.Exit();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ReplySlowAsync(TResponse response, CancellationToken cancellationToken)
    {
        ServerClient client = _client!;
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
                    throw new ChannelClosedException($"Client {client.Id} of server '{_server.Name}' is gone; the reply was dropped.");
                }

                if (client.TryWrite(_correlationId, ResponseStatus.Ok, 0, MemoryMarshal.AsBytes(new ReadOnlySpan<TResponse>(in response))))
                {
                    MarkAnswered();
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
            client.Exit();
        }
    }

    private TimeoutException ReplyTimedOut(ServerClient client, TimeSpan timeout) =>
        new($"Client {client.Id} of server '{_server.Name}' read no responses for {timeout.TotalSeconds:0.#} s (its response ring stayed full); the reply was dropped. Other clients are not affected.");

    private void ThrowIfAnswered()
    {
        if (_client is null)
        {
            throw new ObjectDisposedException(nameof(IncomingRequest<TRequest, TResponse>), "This request was disposed; it may already serve another request.");
        }

        if (IsAnswered)
        {
            throw new InvalidOperationException("This request was already answered.");
        }
    }

    private static void ThrowIfVariable()
    {
        if (!TResponse.Layout.IsCopiedWhole)
        {
            throw new InvalidOperationException(
                $"{typeof(TResponse).Name} has variable-length fields or a version (its records start with a block prefix), so it cannot be copied in whole: build it in place with TryClaimReply and {typeof(TResponse).Name}.Builder.");
        }
    }
}
