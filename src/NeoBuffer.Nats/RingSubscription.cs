using System;
using System.Buffers;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using NATS.Client.Core;

namespace NeoBuffer.Nats;

/// <summary>
/// The core-mode inbound bridge's subscription. NATS.Net's own subscription copies every payload out of its read
/// buffer into a pooled one, which the bridge then copies into the ring: two copies of each record. This one offers
/// each message to <see cref="IDirectWriter"/> first, on NATS.Net's socket reader, straight from the read buffer: a
/// plain record message for the channel that fits the ring now is committed there with one copy. Everything else (a
/// batch, an end marker, a message with headers, one to refuse, a record the ring has no room for, and every message
/// while one is still queued ahead of it) is copied out and queued, in arrival order, for the bridge's loop
/// (<see cref="Queued"/>), which handles it as before.
/// <para>
/// Why the two writers of the ring never overlap: the socket reader writes directly only while nothing is queued
/// (<see cref="_queued"/> is 0), and the loop writes only what is queued, counting each one down (with a full fence)
/// only after it has written it. A message queued by the socket reader is counted up before it is queued, so the
/// loop holds the ring from the moment anything is queued until the queue is empty again, and the order of the
/// records in the ring is their order on the subject.
/// </para>
/// <para>
/// The queue is bounded as NATS.Net's would be (the connection's <c>SubPendingChannelCapacity</c> and
/// <c>SubPendingChannelFullMode</c>): in <c>Wait</c> mode a full queue holds NATS.Net's reader back; in a drop mode
/// what overflows is dropped, counted, and reported as a slow consumer once per overflow.
/// </para>
/// </summary>
internal sealed class RingSubscription : NatsSubBase
{
    private readonly IDirectWriter _direct;
    private readonly Channel<QueuedMessage> _queue;
    private readonly bool _waitWhenFull;
    private int _queued;
    private int _inDirect;
    private int _closed;
    private int _overflowing;

    public RingSubscription(INatsConnection connection, string subject, IDirectWriter direct, CancellationToken cancellationToken)
        : base(connection, connection.SubscriptionManager, subject, queueGroup: null, opts: null, cancellationToken)
    {
        _direct = direct;
        NatsOpts opts = connection.Opts;
        _waitWhenFull = opts.SubPendingChannelFullMode == BoundedChannelFullMode.Wait;
        _queue = Channel.CreateBounded<QueuedMessage>(
            new BoundedChannelOptions(opts.SubPendingChannelCapacity)
            {
                FullMode = opts.SubPendingChannelFullMode,
                SingleWriter = true,
                SingleReader = true,
                AllowSynchronousContinuations = false,
            },
            OnDropped);
    }

    /// <summary>The messages the loop handles, in arrival order; call <see cref="Handled"/> after each.</summary>
    public ChannelReader<QueuedMessage> Queued => _queue.Reader;

    /// <summary>What the socket reader offers each message to, and what it tells of drops.</summary>
    public interface IDirectWriter
    {
        /// <summary>Commits the message's record to the ring if it is a plain record for this channel that fits now; false leaves it to the loop.</summary>
        bool TryWrite(in ReadOnlySequence<byte> payload);

        /// <summary>A queued message was dropped; <paramref name="firstOfOverflow"/> for the first of an overflow.</summary>
        void Dropped(bool firstOfOverflow);
    }

    /// <summary>After the loop has handled (written, refused) a queued message: the socket reader may write directly once none is left.</summary>
    public void Handled()
    {
        if (Interlocked.Decrement(ref _queued) == 0)
        {
            Volatile.Write(ref _overflowing, 0);
        }
    }

    /// <summary>
    /// Stops all direct writing and returns once no socket-reader call is inside the ring: after this the ring's
    /// writer may be disposed. Call before disposing the subscription.
    /// </summary>
    public void Close()
    {
        Volatile.Write(ref _closed, 1);
        Interlocked.MemoryBarrier();
        var spin = new SpinWait();
        while (Volatile.Read(ref _inDirect) != 0)
        {
            spin.SpinOnce();
        }
    }

    protected override ValueTask ReceiveInternalAsync(string subject, string? replyTo, ReadOnlySequence<byte>? headersBuffer, ReadOnlySequence<byte> payloadBuffer)
    {
        if (headersBuffer is null && TryWriteDirect(payloadBuffer))
        {
            return ValueTask.CompletedTask;
        }

        Interlocked.Increment(ref _queued);
        var message = QueuedMessage.CopyOf(payloadBuffer, headersBuffer is { } headers && CarriesPreviousFormatHeader(headers));
        if (_queue.Writer.TryWrite(message))
        {
            return ValueTask.CompletedTask;
        }

        if (_waitWhenFull)
        {
            return QueueWhenRoomAsync(message);
        }

        // Every drop mode drops inside TryWrite (through OnDropped): false means the queue was completed, the
        // subscription is ending, and nobody will read what comes now. Not a slow consumer's drop.
        Discard(message);
        return ValueTask.CompletedTask;
    }

    protected override void TryComplete() => _queue.Writer.TryComplete();

    // Inside the gate: Close waits for this to leave before the ring may go.
    private bool TryWriteDirect(in ReadOnlySequence<byte> payload)
    {
        Interlocked.Increment(ref _inDirect);
        try
        {
            return Volatile.Read(ref _closed) == 0 && Volatile.Read(ref _queued) == 0 && _direct.TryWrite(payload);
        }
        finally
        {
            Interlocked.Decrement(ref _inDirect);
        }
    }

    private async ValueTask QueueWhenRoomAsync(QueuedMessage message)
    {
        try
        {
            await _queue.Writer.WriteAsync(message).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            Discard(message); // the subscription ended while NATS.Net's reader waited for room
        }
    }

    // A slow consumer's drop: the queue was full.
    private void OnDropped(QueuedMessage message)
    {
        Discard(message);
        _direct.Dropped(Interlocked.Exchange(ref _overflowing, 1) == 0);
    }

    private void Discard(QueuedMessage message)
    {
        message.Return();
        Interlocked.Decrement(ref _queued);
    }

    // The previous wire format's header, looked for in the raw header block ("NATS/1.0\r\nName: value\r\n..."; names
    // match without regard to case, as NATS.Net's do). Only messages with headers pay for it, and a bridge sends none.
    private static bool CarriesPreviousFormatHeader(in ReadOnlySequence<byte> headers) =>
        System.Text.Encoding.ASCII.GetString(headers.ToArray()).Contains("\r\n" + Receiver.PreviousFormatHeader + ":", StringComparison.OrdinalIgnoreCase);
}

/// <summary>A message the bridge's loop handles: its payload copied out of NATS.Net's read buffer into a pooled array.</summary>
internal readonly struct QueuedMessage
{
    private readonly byte[] _array;
    private readonly int _length;

    private QueuedMessage(byte[] array, int length, bool previousFormat)
    {
        _array = array;
        _length = length;
        PreviousFormat = previousFormat;
    }

    public ReadOnlyMemory<byte> Payload => _array.AsMemory(0, _length);

    /// <summary>Whether it carried the previous wire format's header.</summary>
    public bool PreviousFormat { get; }

    public static QueuedMessage CopyOf(in ReadOnlySequence<byte> payload, bool previousFormat)
    {
        int length = checked((int)payload.Length);
        byte[] array = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        payload.CopyTo(array);
        return new QueuedMessage(array, length, previousFormat);
    }

    public void Return() => ArrayPool<byte>.Shared.Return(_array);
}
