using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace NeoBuffer;

/// <summary>
/// The producer side of a channel of <typeparamref name="T"/> messages. Messages without variable-length fields are
/// copied in with <see cref="TryWrite"/>/<see cref="Write(in T, CancellationToken)"/>; any message can be built in
/// place with the generated builder: <c>T.Builder.TryClaim(writer, ...)</c> or <c>T.Builder.Claim(writer, ...)</c>, fill
/// it, <c>Commit()</c>. One writer per channel; not thread-safe.
/// </summary>
/// <typeparam name="T">The message type: a <see cref="ChannelMessageAttribute">[ChannelMessage]</see> struct.</typeparam>
public sealed class SharedChannelWriter<T> : IDisposable where T : unmanaged, IChannelMessage<T>
{
    private readonly SharedChannelWriter _writer;
    // Messages a whole-struct copy cannot carry: variable-length fields, or a versioned message's block prefix.
    private readonly bool _hasVariableFields;

    internal SharedChannelWriter(SharedChannelWriter writer)
    {
        _writer = writer;
        _hasVariableFields = !T.Layout.IsCopiedWhole;
    }

    /// <summary>
    /// The same endpoint, writing whole records as bytes: for code that moves records built elsewhere, such as a bridge
    /// from a network. Whatever it writes, readers' views still check every descriptor.
    /// </summary>
    public SharedChannelWriter Untyped => _writer;

    /// <summary>The channel's name.</summary>
    public string Name => _writer.Name;

    /// <summary>The largest record, in bytes, this channel accepts (fixed block and tail together).</summary>
    public int MaxMessageSize => _writer.MaxMessageSize;

    /// <summary>The ring's capacity in bytes.</summary>
    public long Capacity => _writer.Capacity;

    /// <summary>Copies <paramref name="message"/> in if the ring has room now; false when it is full or completed.</summary>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> has variable-length fields or is versioned: build it with <c>T.Builder</c>.</exception>
    public bool TryWrite(in T message)
    {
        ThrowIfVariable();
        return _writer.TryWrite(in message);
    }

    /// <summary>
    /// Copies the messages in, in order, as many as the ring has room for now, and publishes them together (see
    /// <see cref="SharedChannelWriter.TryWriteBatch{T}(ReadOnlySpan{T})"/>). Returns how many were written, from the
    /// start of <paramref name="messages"/>; 0 when the ring is full or the channel is completed. A writer that dies
    /// midway publishes none of the batch: an MPSC reader sees no message of it, not even those already copied.
    /// </summary>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> has variable-length fields or is versioned: build each with <c>T.Builder</c>.</exception>
    public int TryWriteBatch(ReadOnlySpan<T> messages)
    {
        ThrowIfVariable();
        return _writer.TryWriteBatch(messages);
    }

    /// <summary>Copies <paramref name="message"/> in, waiting for room as long as it takes.</summary>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> has variable-length fields.</exception>
    /// <exception cref="ChannelClosedException">The channel was completed.</exception>
    public void Write(in T message, CancellationToken cancellationToken = default) =>
        Write(in message, Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>Copies <paramref name="message"/> in, waiting up to <paramref name="timeout"/> for room.</summary>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> has variable-length fields.</exception>
    /// <exception cref="TimeoutException">No room appeared within <paramref name="timeout"/>.</exception>
    /// <exception cref="ChannelClosedException">The channel was completed.</exception>
    public void Write(in T message, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ThrowIfVariable();
        _writer.Write(MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in message)), timeout, cancellationToken);
    }

    /// <summary>Copies <paramref name="message"/> in, waiting asynchronously for room; no thread blocks meanwhile.</summary>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> has variable-length fields.</exception>
    /// <exception cref="ChannelClosedException">The channel was completed.</exception>
    public ValueTask WriteAsync(T message, CancellationToken cancellationToken = default) =>
        TryWrite(in message) ? ValueTask.CompletedTask : WriteSlowAsync(message, cancellationToken);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteSlowAsync(T message, CancellationToken cancellationToken)
    {
        while (!TryWrite(in message))
        {
            if (!await _writer.WaitToWriteAsync(Unsafe.SizeOf<T>(), cancellationToken).ConfigureAwait(false))
            {
                throw new ChannelClosedException($"Channel '{Name}' was completed; nothing more can be written to it.");
            }
        }
    }

    /// <summary>
    /// Claims a record of <paramref name="length"/> bytes if the ring has room now. The generated
    /// <c>T.Builder.TryClaim</c> calls this with the length its var-field sizes need; use that instead.
    /// </summary>
    public bool TryClaim(int length, out WriteClaim claim) => _writer.TryClaim(length, out claim);

    /// <summary>
    /// Claims a record of <paramref name="length"/> bytes, waiting up to <paramref name="timeout"/> for room. The
    /// generated <c>T.Builder.Claim</c> calls this; use that instead.
    /// </summary>
    /// <exception cref="TimeoutException">No room appeared within <paramref name="timeout"/>.</exception>
    /// <exception cref="ChannelClosedException">The channel was completed.</exception>
    public WriteClaim Claim(int length, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _writer.Claim(length, timeout, cancellationToken);

    /// <summary>
    /// Waits up to <paramref name="timeout"/> until a record of <paramref name="length"/> bytes fits (use
    /// <c>T.Builder.LengthFor</c>). Returns true when it does, false when the channel was completed.
    /// </summary>
    /// <exception cref="TimeoutException">No room appeared within <paramref name="timeout"/>.</exception>
    public bool WaitToWrite(int length, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _writer.WaitToWrite(length, timeout, cancellationToken);

    /// <summary>
    /// Waits asynchronously up to <paramref name="timeout"/> until a record of <paramref name="length"/> bytes fits.
    /// Completes with true when it does, false when the channel was completed.
    /// </summary>
    /// <exception cref="TimeoutException">No room appeared within <paramref name="timeout"/>.</exception>
    public ValueTask<bool> WaitToWriteAsync(int length, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _writer.WaitToWriteAsync(length, timeout, cancellationToken);

    /// <summary>Ends the stream (see <see cref="SharedChannelWriter.TryComplete"/>). Returns false when it was already completed.</summary>
    public bool TryComplete(Exception? error = null) => _writer.TryComplete(error);

    /// <summary>Ends the stream: readers read what was written, then see the channel completed.</summary>
    /// <exception cref="ChannelClosedException">The channel was already completed.</exception>
    public void Complete(Exception? error = null) => _writer.Complete(error);

    /// <summary>
    /// This writer as a <see cref="ChannelWriter{T}"/>, for code written against System.Threading.Channels: each write
    /// copies the message in, as <see cref="TryWrite"/> does; <see cref="ChannelWriter{T}.TryComplete"/> completes the
    /// channel. It writes through this endpoint (not thread-safe, like the endpoint).
    /// </summary>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> has variable-length fields: build those with <c>T.Builder</c>.</exception>
    public ChannelWriter<T> AsChannelWriter()
    {
        ThrowIfVariable();
        return new CopyingChannelWriter<T>(this);
    }

    /// <summary>Detaches from the channel (aborting any open claim) and unmaps it; the last participant out removes it.</summary>
    public void Dispose() => _writer.Dispose();

    private void ThrowIfVariable()
    {
        if (_hasVariableFields)
        {
            throw new InvalidOperationException(
                $"{typeof(T).Name} has variable-length fields or is versioned (its records carry a block prefix), so it cannot be copied in whole: build it in place with {typeof(T).Name}.Builder.Claim(writer, ...).");
        }
    }
}
