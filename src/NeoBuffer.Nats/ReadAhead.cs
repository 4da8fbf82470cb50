using System;

namespace NeoBuffer.Nats;

/// <summary>
/// Reads the records that follow the one a bridge holds, without consuming anything: a <see cref="ChannelSpy"/> on the
/// same channel (a read-only mapping, no row, no store into the segment). A reader can hold one message at a time;
/// the bridge holds the oldest record it has not had acknowledged, and reads the later ones through this.
/// <para>
/// Why what it reads is intact: a reader's or a tethered subscriber's unconsumed records are never overwritten (the
/// producer waits for their space), and the hold keeps every record from the held one on unconsumed. So the spy's own
/// check (ChannelSpy's remarks: SPSC and MPSC, intact at or past Head; broadcast, intact within a ring of TailIntent)
/// always passes, and a <see cref="SpyRead.Skipped"/> means the hold was not where this class was told it was.
/// </para>
/// <para>
/// A record's position, which its JetStream message id is made of, is not reported by the spy: it is the spy's
/// position after the read less the record's footprint (docs/format.md, "Records": an 8-byte aligned frame plus the
/// payload). Every record read is checked against the reader when the bridge holds it (same position, same length),
/// so an error here stops the bridge before anything is released.
/// </para>
/// </summary>
internal sealed class ReadAhead : IDisposable
{
    private const int RecordAlignment = 8;
    private const int PlainFrame = 8;
    private const int SequencedFrame = 16;

    private readonly string _name;
    private readonly string _directory;
    private readonly int _frame;
    private ChannelSpy _spy;

    private ReadAhead(string name, string directory, ChannelSpy spy)
    {
        _name = name;
        _directory = directory;
        _spy = spy;
        _frame = spy.Topology == ChannelTopology.Broadcast ? SequencedFrame : PlainFrame;
    }

    /// <summary>
    /// Opens a spy on <paramref name="reader"/>'s channel, positioned at the record the reader holds
    /// (<paramref name="held"/>, in the reader's mapping, at <paramref name="heldPosition"/>), and makes sure it is that
    /// channel: same topology, and the record at that position has the held bytes. Null, with the reason, when it
    /// cannot: the channel has no file (a sealed channel) or the file cannot be opened.
    /// </summary>
    public static ReadAhead? TryOpen(SharedChannelReader reader, ReadOnlySpan<byte> held, long heldPosition, out string? whyNot)
    {
        // The directory of the file the held bytes are mapped from: the reader's own file, wherever the reader opened
        // it. Looking the name up in the default directory instead found no file (another directory), or worse a
        // namesake there whose first record matched and whose later ones were published as the reader's.
        string? file = MappedFile.PathOf(held);
        string? directory = file is null ? null : System.IO.Path.GetDirectoryName(file);
        if (directory is null)
        {
            whyNot = "the channel has no file to read ahead in (a sealed channel)";
            return null;
        }

        ChannelSpy spy;
        try
        {
            spy = ChannelInspector.OpenSpy(reader.Name, directory, fromOldest: true);
        }
        catch (Exception e) when (e is SharedChannelException or System.IO.IOException or UnauthorizedAccessException)
        {
            whyNot = $"its file cannot be opened for reading ahead ({e.Message})";
            return null;
        }

        var readAhead = new ReadAhead(reader.Name, directory, spy);
        if (spy.Topology != reader.Topology
            || !readAhead.TrySkipTo(heldPosition, out ReadOnlyMemory<byte> first)
            || !first.Span.SequenceEqual(held))
        {
            readAhead.Dispose();
            whyNot = $"the channel '{reader.Name}' found in {directory} is not the one the reader has open";
            return null;
        }

        whyNot = null;
        return readAhead;
    }

    // A record already taken from the spy that the next TryRead returns first: the held one after opening or
    // rewinding, or one put back. Its bytes are the spy's copy, valid until the spy reads again, which it does not before.
    private ReadOnlyMemory<byte> _pending;
    private long _pendingPosition = -1;

    /// <summary>
    /// The next record, copied out (valid until the next call), and its position; false when none is committed yet.
    /// </summary>
    /// <exception cref="NatsBridgeException">The spy was overtaken, which the hold rules out.</exception>
    public bool TryRead(out ReadOnlyMemory<byte> payload, out long position)
    {
        if (_pendingPosition >= 0)
        {
            payload = _pending;
            position = _pendingPosition;
            _pending = default;
            _pendingPosition = -1;
            return true;
        }

        if (IsAtRingEnd())
        {
            payload = default;
            position = -1;
            return false;
        }

        switch (_spy.TryRead(out payload))
        {
            case SpyRead.Message:
                position = PositionOf(payload.Length);
                return true;
            case SpyRead.None:
                position = -1;
                return false;
            default:
                throw Broken($"reading ahead of the held record, the spy was overtaken (the oldest record is now at {_spy.Position})");
        }
    }

    /// <summary>
    /// Starts again at the held record (at <paramref name="heldPosition"/>): what a retry publishes again follows it.
    /// </summary>
    /// <exception cref="NatsBridgeException">The channel no longer has that record there.</exception>
    public void Rewind(long heldPosition)
    {
        _spy.Dispose();
        try
        {
            _spy = ChannelInspector.OpenSpy(_name, _directory, fromOldest: true);
        }
        catch (SharedChannelException e)
        {
            throw Broken($"reopening the channel to publish its records again failed ({e.Message})", e);
        }

        if (!TrySkipTo(heldPosition, out _))
        {
            throw Broken($"reopened, it has no record at the held position {heldPosition}");
        }

    }

    /// <summary>
    /// Where the next <see cref="TryRead"/> looks: the record put back, or the spy's position, which may be at padding
    /// before the next record.
    /// </summary>
    public long NextPosition => _pendingPosition >= 0 ? _pendingPosition : _spy.Position;

    /// <summary>Makes the record the last <see cref="TryRead"/> returned the next one again (the caller had no room for it yet).</summary>
    public void PutBack(ReadOnlyMemory<byte> payload, long position)
    {
        _pending = payload;
        _pendingPosition = position;
    }

    public void Dispose() => _spy.Dispose();

    // The spy starts at the oldest record still in the ring: Head for SPSC and MPSC, which the hold keeps at the held
    // record; Oldest for broadcast, which may be behind a tethered subscriber's position.
    private bool TrySkipTo(long position, out ReadOnlyMemory<byte> record)
    {
        while (TryReadFromSpy(out record, out long at))
        {
            if (at == position)
            {
                PutBack(record, at);
                return true;
            }

            if (at > position)
            {
                return false;
            }
        }

        return false;
    }

    // MPSC: a full ring has no zero header after its last claim, so at the held record's position plus the capacity
    // the spy would find the held record's own header (not consumed, so not zeroed) and take it for a new one. Nothing
    // is claimed at or past ClaimTail (the spy's Frontier): stop there. SPSC keeps the header at its tail zero, and
    // broadcast reads only below Tail, so neither can be misread this way.
    private bool IsAtRingEnd() => _spy.Topology == ChannelTopology.MultiProducerSingleConsumer && _spy.Position >= _spy.Frontier;

    private bool TryReadFromSpy(out ReadOnlyMemory<byte> payload, out long position)
    {
        payload = default;
        if (IsAtRingEnd() || _spy.TryRead(out payload) != SpyRead.Message)
        {
            position = -1;
            return false;
        }

        position = PositionOf(payload.Length);
        return true;
    }

    private long PositionOf(int payloadLength) =>
        _spy.Position - ((_frame + (long)payloadLength + RecordAlignment - 1) & ~(long)(RecordAlignment - 1));

    private NatsBridgeException Broken(string what, Exception? inner = null)
    {
        string message = $"NATS bridge on channel '{_name}': {what}. Nothing was released past the oldest unacknowledged record; restart the bridge.";
        return inner is null ? new NatsBridgeException(message) : new NatsBridgeException(message, inner);
    }
}
