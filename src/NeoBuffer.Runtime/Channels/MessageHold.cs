using System;

namespace NeoBuffer;

/// <summary>
/// Holds one message of a reader at a time as <see cref="ReadOnlyMemory{T}"/> that stays valid across <c>await</c>s,
/// until the holder either <see cref="Release">releases</see> it (consumed: its space goes back to the writer) or
/// <see cref="Return">returns</see> it (not consumed: the next read gets it again). For code that must hand a message to
/// something asynchronous, such as a network send, and decide only afterwards whether it was delivered; a
/// <see cref="ReadLease"/> cannot cross an <c>await</c>. A process that dies while holding a message leaves it in the
/// ring for the next reader, as with any lease. For a typed channel, hold its reader's <see cref="SharedChannelReader{T}.Untyped"/>.
/// </summary>
/// <remarks>Not thread-safe, like the reader itself; one hold per reader at a time.</remarks>
public sealed class MessageHold
{
    private readonly SharedChannelReader _reader;
    private readonly MappedMemory _window = new();
    private bool _holding;

    /// <summary>Creates a hold over <paramref name="reader"/>.</summary>
    /// <exception cref="NotSupportedException">
    /// The reader is a lossy broadcast subscriber: the producer may overwrite a message while it is held, which memory
    /// handed out cannot report. Read it with <see cref="SharedChannelReader.TryLease(out ReadLease)"/> and check
    /// <see cref="ReadLease.IsOverwritten"/>.
    /// </exception>
    public MessageHold(SharedChannelReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (reader.IsLossy)
        {
            throw new NotSupportedException(
                $"Channel '{reader.Name}': a lossy subscriber's messages may be overwritten while held. " +
                "Read with TryLease(out ReadLease) and drop a message whose lease IsOverwritten.");
        }

        _reader = reader;
    }

    /// <summary>The reader whose messages this holds; wait on it for the next message.</summary>
    public SharedChannelReader Reader => _reader;

    /// <summary>Whether a message is held now.</summary>
    public bool IsHolding => _holding;

    /// <summary>
    /// Holds the next committed message, if there is one now. <paramref name="message"/> points into shared memory and
    /// is valid until <see cref="Release"/> or <see cref="Return"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">A message is already held.</exception>
    /// <exception cref="ChannelCorruptedException">The ring's shared state is impossible (a faulty or hostile peer).</exception>
    public bool TryHold(out ReadOnlyMemory<byte> message)
    {
        if (_holding)
        {
            throw new InvalidOperationException($"Channel '{_reader.Name}': a message is already held; release or return it first.");
        }

        if (!_reader.TryLeaseInto(_window))
        {
            message = default;
            return false;
        }

        _holding = true;
        message = _window.Memory;
        return true;
    }

    /// <summary>Ends the hold and consumes the message: its space goes back to the writer.</summary>
    /// <exception cref="InvalidOperationException">No message is held.</exception>
    public void Release()
    {
        int length = End();
        _reader.EndLease(length);
    }

    /// <summary>Ends the hold without consuming the message: the next read (by this reader, or the next to attach) returns it again.</summary>
    /// <exception cref="InvalidOperationException">No message is held.</exception>
    public void Return()
    {
        End();
        _reader.AbandonLease();
    }

    private int End()
    {
        if (!_holding)
        {
            throw new InvalidOperationException($"Channel '{_reader.Name}': no message is held.");
        }

        int length = _window.Length;
        _window.Clear();
        _holding = false;
        return length;
    }
}
