using System;
using System.Runtime.InteropServices;
using System.Threading;
using NeoBuffer.Waiting;

namespace NeoBuffer.Requests;

/// <summary>
/// A connected client, as its server sees it: the reader of the client's request ring (read by the server's loop only),
/// the writer of its response ring, and the gate that keeps one reply at a time in it (handlers may reply from any
/// thread). Both rings are the two halves of the duplex channel the client created.
/// </summary>
/// <remarks>
/// A client that leaves or dies is marked gone by the server's reading loop, which must never wait for a reply in
/// progress (that reply may be waiting for room in this very client's full ring). So whoever holds the gate when the
/// client is marked gone disposes the writer as it lets go: "mark gone, fence, then try the gate" against "let go of
/// the gate (a full fence), then look at the mark", so one of the two always sees the other.
/// </remarks>
internal sealed class ServerClient(int id, long token, SharedChannelWriter writer, SharedChannelReader requests)
{
    private readonly FastPathSemaphore _gate = new(1);
    private volatile bool _gone;
    private int _writerDisposed;
    private int _waitingReplies;

    public int Id { get; } = id;

    /// <summary>The token the client connected with: every record it writes carries it (<see cref="RequestEnvelope.Token"/>).</summary>
    public long Token { get; } = token;

    public SharedChannelWriter Writer { get; } = writer;

    /// <summary>The client's request ring: the server's loop reads it, and disposes it when it lets go of the client.</summary>
    public SharedChannelReader Requests { get; } = requests;

    public bool IsGone => _gone;

    /// <summary>
    /// Marks the client gone without touching its writer: what a reply does when it finds the client's ring broken (the
    /// caller holds the gate, whose <see cref="Exit"/> disposes the writer); the server's loop lets go of the client.
    /// </summary>
    public void MarkFoundBroken() => _gone = true;

    /// <summary>
    /// The most bytes of a failure's reason this client's ring takes: a failure's text is cut to it. A client made by
    /// this library takes the 1 KiB a server sends; a ring made to take less is refused at connect only when it cannot
    /// take a response (the server's check), so the reason is cut rather than the failure lost.
    /// </summary>
    public int LongestReason => Math.Min(ResponseStatus.MaxReasonLength, Writer.MaxMessageSize - ResponseEnvelope.Size);

    /// <summary>
    /// Counts one more reply (or failure) waiting for this client's gate or for room in its ring, unless
    /// <paramref name="limit"/> wait already: then false, and the caller drops its reply at once.
    /// </summary>
    /// <remarks>
    /// The limit is a client's most requests in flight: a client made by the library never has more replies owed to
    /// it. More waiting can only be a client that sends requests and reads no answers, and each would cost the server a
    /// reply kept, on a timer, for the whole reply timeout: with no bound, memory in proportion to how fast that one
    /// client writes.
    /// </remarks>
    public bool TryStartWaiting(int limit)
    {
        if (Interlocked.Increment(ref _waitingReplies) <= limit)
        {
            return true;
        }

        Interlocked.Decrement(ref _waitingReplies);
        return false;
    }

    /// <summary>Ends a wait counted by <see cref="TryStartWaiting"/>.</summary>
    public void EndWaiting() => Interlocked.Decrement(ref _waitingReplies);

    /// <summary>Takes the gate if no other reply holds it.</summary>
    public bool TryEnter() => _gate.TryWait();

    /// <summary>Waits for the gate up to <paramref name="timeout"/>.</summary>
    public System.Threading.Tasks.Task<bool> EnterAsync(TimeSpan timeout, CancellationToken cancellationToken) => _gate.WaitAsync(timeout, cancellationToken);

    /// <summary>Lets go of the gate; disposes the writer if the client went away meanwhile.</summary>
    public void Exit()
    {
        _gate.Release(); // a full fence before the look at the mark
        if (_gone && _gate.TryWait())
        {
            DisposeWriterOnce();
            _gate.Release();
        }
    }

    /// <summary>Marks the client gone; its writer is disposed now if no reply is in progress, else by that reply's end.</summary>
    public void MarkGone(Exception? reason = null)
    {
        _gone = true;
        Interlocked.MemoryBarrier(); // the mark before the look at the gate (a TryWait that finds it taken makes no fence of its own)
        if (_gate.TryWait())
        {
            // Under the gate: a reply that found the ring broken may have disposed the writer already (Exit).
            if (reason is not null && Volatile.Read(ref _writerDisposed) == 0)
            {
                Writer.TryComplete(reason);
            }

            DisposeWriterOnce();
            _gate.Release();
        }
    }

    /// <summary>
    /// Writes a response record whose body is <paramref name="body"/> (a failure's reason cut to <see cref="LongestReason"/>),
    /// if there is room now. The caller holds the gate. False when the ring is full.
    /// </summary>
    public bool TryWrite(long correlationId, int status, int value, ReadOnlySpan<byte> body)
    {
        if (status == ResponseStatus.Failed && body.Length > LongestReason)
        {
            body = body.Slice(0, LongestReason);
        }

        if (!TryClaim(correlationId, status, value, body.Length, out WriteClaim claim, out Span<byte> payload))
        {
            return false;
        }

        body.CopyTo(payload);
        claim.Commit();
        return true;
    }

    /// <summary>
    /// Claims a response record of <paramref name="length"/> body bytes with its envelope written. The caller holds the
    /// gate. False when the ring is full, or when the client is gone: marked gone by the server, or found now to have
    /// broken its own ring.
    /// </summary>
    /// <remarks>
    /// The client created its ring and is its reader, so it can write any value into the ring's shared state (its read
    /// position, say). The writer checks what it reads there and throws when it is impossible; that is this client's
    /// doing and must cost the server nothing more than this client. So the client is marked gone here, and every
    /// reply to it from now on is dropped as a reply to a client that left is; the writer is disposed when the caller
    /// lets go of the gate (<see cref="Exit"/>), and the server's next check of its clients lets go of this one.
    /// Whatever calls this (a handler's reply, the failure a handler owes, the acknowledgement on the serving loop)
    /// sees a reply it could not write, never the client's fault.
    /// </remarks>
    public bool TryClaim(long correlationId, int status, int value, int length, out WriteClaim claim, out Span<byte> body)
    {
        bool claimed = false;
        claim = default;
        try
        {
            claimed = !_gone && Writer.TryClaim(ResponseEnvelope.Size + length, out claim);
        }
        catch (Exception e) when (e is SharedChannelException or System.Threading.Channels.ChannelClosedException)
        {
            MarkFoundBroken();
        }

        if (!claimed)
        {
            claim = default;
            body = default;
            return false;
        }

        var envelope = new ResponseEnvelope { CorrelationId = correlationId, Status = status, Value = value };
        MemoryMarshal.Write(claim.Payload, in envelope);
        body = claim.Payload.Slice(ResponseEnvelope.Size);
        return true;
    }

    /// <summary>
    /// Whether the server should keep this client: not found gone (<see cref="TryClaim"/>), and its response ring still
    /// read by a live process (a liveness probe; no shared state changes).
    /// </summary>
    public bool IsServable()
    {
        if (_gone)
        {
            return false;
        }

        try
        {
            Writer.ThrowIfReaderGone();
            return true;
        }
        catch (Exception e) when (e is SharedChannelException or System.Threading.Channels.ChannelClosedException)
        {
            return false;
        }
    }

    private void DisposeWriterOnce()
    {
        if (Interlocked.Exchange(ref _writerDisposed, 1) == 0)
        {
            Writer.Dispose();
        }
    }
}
