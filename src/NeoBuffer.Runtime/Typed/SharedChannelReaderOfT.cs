using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace NeoBuffer;

/// <summary>
/// The consumer side of a channel of <typeparamref name="T"/> messages. Lease each message in place with
/// <see cref="TryLease"/> (or <see cref="LeaseAllAsync"/>) and read it through <c>new T.View(lease)</c>; messages
/// without variable-length fields can also be copied out with <see cref="TryRead"/> (or <see cref="ReadAllAsync"/>).
/// One reader per channel; not thread-safe.
/// </summary>
/// <typeparam name="T">The message type: a <see cref="ChannelMessageAttribute">[ChannelMessage]</see> struct.</typeparam>
public sealed class SharedChannelReader<T> : IDisposable where T : unmanaged, IChannelMessage<T>
{
    private readonly SharedChannelReader _reader;
    // Messages a whole-struct copy cannot carry: variable-length fields, or a versioned message's block prefix.
    private readonly bool _hasVariableFields;

    internal SharedChannelReader(SharedChannelReader reader)
    {
        _reader = reader;
        _hasVariableFields = !T.Layout.IsCopiedWhole;
    }

    /// <summary>
    /// The same endpoint, reading whole records as bytes: for code that moves records without reading their fields,
    /// such as a bridge to a network. Reading through it consumes the messages this reader would have read.
    /// </summary>
    public SharedChannelReader Untyped => _reader;

    /// <summary>The channel's name.</summary>
    public string Name => _reader.Name;

    /// <summary>The largest record, in bytes, this channel accepts.</summary>
    public int MaxMessageSize => _reader.MaxMessageSize;

    /// <summary>
    /// Messages this reader lost: always 0 except for a <see cref="SubscriberMode.Lossy"/> broadcast subscriber, which
    /// counts every message the producer overwrote before it could be read (see <see cref="SharedChannelReader.LostMessages"/>).
    /// </summary>
    public long LostMessages => _reader.LostMessages;

    /// <summary>
    /// Completes when the writer has completed the channel and every message has been read, on its own (no read call
    /// needs to notice the end); faults with a <see cref="ChannelClosedException"/> when the writer completed it with an
    /// error or died, and with an <see cref="ObjectDisposedException"/> when this reader is disposed first. See
    /// <see cref="SharedChannelReader.Completion"/>.
    /// </summary>
    public Task Completion => _reader.Completion;

    /// <summary>
    /// Leases the next message in place, if one is committed. Read it with <c>new T.View(lease)</c>, then dispose the
    /// lease to hand its space back to the writer.
    /// </summary>
    /// <exception cref="ChannelCorruptedException">The ring's shared state is impossible (a faulty or hostile peer).</exception>
    public bool TryLease(out MessageLease<T> lease)
    {
        if (_reader.TryLease(out ReadLease raw))
        {
            lease = new MessageLease<T>(raw);
            return true;
        }

        lease = default;
        return false;
    }

    /// <summary>
    /// Reads the committed messages in place, up to <paramref name="maxMessages"/>, handing each to
    /// <paramref name="handler"/>, and hands their space back together (see
    /// <see cref="SharedChannelReader.TryReadBatch{THandler}(ref THandler, int)"/>, which says how a batch is bounded).
    /// The handler reads each message through its view, <c>new T.View(message.Payload)</c>. Returns how many were read.
    /// </summary>
    /// <param name="handler">Called for each message, in order; passed by reference, so a struct handler keeps its state.</param>
    /// <param name="maxMessages">The most messages this batch reads (at least 1).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxMessages"/> is less than 1.</exception>
    /// <exception cref="ChannelCorruptedException">The ring's shared state is impossible (a faulty or hostile peer).</exception>
    public int TryReadBatch<THandler>(ref THandler handler, int maxMessages = int.MaxValue)
        where THandler : IReadBatchHandler, allows ref struct =>
        _reader.TryReadBatch(ref handler, maxMessages);

    /// <summary>Copies the next message out, if one is committed.</summary>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> has variable-length fields or is versioned: lease it with <see cref="TryLease"/>.</exception>
    /// <exception cref="MessageFormatException">The record is not the size of <typeparamref name="T"/>; it is left unread.</exception>
    public bool TryRead(out T message)
    {
        if (_hasVariableFields)
        {
            throw new InvalidOperationException(
                $"{typeof(T).Name} has variable-length fields or is versioned (its records carry a block prefix), so it cannot be copied out whole: lease it with TryLease and read it through {typeof(T).Name}.View.");
        }

        return _reader.TryRead(out message);
    }

    /// <summary>Waits until a message can be read. Returns true when one can, false when the channel completed and is drained.</summary>
    /// <exception cref="ChannelClosedException">The writer completed the channel with an error (after every message was read).</exception>
    public bool WaitToRead(CancellationToken cancellationToken = default) => _reader.WaitToRead(cancellationToken);

    /// <summary>
    /// Waits up to <paramref name="timeout"/> until a message can be read. Returns true when one can, false when the
    /// channel completed and is drained.
    /// </summary>
    /// <exception cref="TimeoutException">No message arrived within <paramref name="timeout"/>.</exception>
    public bool WaitToRead(TimeSpan timeout, CancellationToken cancellationToken = default) => _reader.WaitToRead(timeout, cancellationToken);

    /// <summary>Waits asynchronously until a message can be read; no thread blocks meanwhile.</summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) => _reader.WaitToReadAsync(cancellationToken);

    /// <summary>Waits asynchronously up to <paramref name="timeout"/> until a message can be read.</summary>
    /// <exception cref="TimeoutException">No message arrived within <paramref name="timeout"/>.</exception>
    public ValueTask<bool> WaitToReadAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _reader.WaitToReadAsync(timeout, cancellationToken);

    /// <summary>
    /// Copies out every message until the channel completes, as <see cref="TryRead"/> does (for messages without
    /// variable-length fields; lease the others with <see cref="LeaseAllAsync"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> has variable-length fields.</exception>
    /// <exception cref="ChannelClosedException">The writer completed the channel with an error (after every message was read).</exception>
    public IAsyncEnumerable<T> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        if (_hasVariableFields)
        {
            throw new InvalidOperationException(
                $"{typeof(T).Name} has variable-length fields, so it cannot be copied out whole: enumerate LeaseAllAsync() and read each through new {typeof(T).Name}.View(message.Payload).");
        }

        return ReadAllCoreAsync(cancellationToken);
    }

    private async IAsyncEnumerable<T> ReadAllCoreAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (_reader.TryRead(out T message))
            {
                yield return message;
            }
        }
    }

    /// <summary>
    /// Leases every message in place until the channel completes, variable-length fields included: read each through
    /// <c>new T.View(message.Payload)</c> in the loop's body. The enumeration ends each lease when it moves on (see
    /// <see cref="SharedChannelReader.LeaseAllAsync"/>).
    /// </summary>
    /// <exception cref="ChannelClosedException">The writer completed the channel with an error (after every message was read).</exception>
    public IAsyncEnumerable<LeasedMessage<T>> LeaseAllAsync(CancellationToken cancellationToken = default)
    {
        IAsyncEnumerable<LeasedMessage> messages = _reader.LeaseAllAsync(); // cancelled through the token the enumeration gets
        return LeaseAllCoreAsync(messages, cancellationToken);
    }

    private static async IAsyncEnumerable<LeasedMessage<T>> LeaseAllCoreAsync(IAsyncEnumerable<LeasedMessage> messages, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (LeasedMessage message in messages.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return new LeasedMessage<T>(message);
        }
    }

    /// <summary>
    /// This reader as a <see cref="ChannelReader{T}"/>, for code written against System.Threading.Channels: each read
    /// copies the message out, as <see cref="TryRead"/> does. It reads through this endpoint (one consumer at a time,
    /// not thread-safe, like the endpoint) and its <see cref="ChannelReader{T}.Completion"/> is <see cref="Completion"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> has variable-length fields, which cannot be copied out whole.</exception>
    public ChannelReader<T> AsChannelReader()
    {
        if (_hasVariableFields)
        {
            throw new InvalidOperationException(
                $"{typeof(T).Name} has variable-length fields, so a ChannelReader<{typeof(T).Name}> cannot copy it out whole: enumerate LeaseAllAsync() instead.");
        }

        return new CopyingChannelReader<T>(this);
    }

    /// <summary>Detaches from the channel and unmaps it (once any open lease ends); the last participant out removes it.</summary>
    public void Dispose() => _reader.Dispose();
}
