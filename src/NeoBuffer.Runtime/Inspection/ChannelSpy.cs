using System;
using System.Runtime.CompilerServices;
using System.Threading;
using NeoBuffer.Format;
using NeoBuffer.Inspection;
using NeoBuffer.Ring;

namespace NeoBuffer;

/// <summary>
/// Follows the messages of a channel from outside it, like Aeron's spy subscriptions: through a read-only mapping,
/// without a participant row, a lock or a single store into the segment, so the channel's writers and readers cannot
/// tell it is there. Opened by <see cref="ChannelInspector.OpenSpy"/>; not thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// A spy holds nobody back, so whatever it has not copied yet may be consumed and overwritten under it. It copies each
/// message out, then checks with a full fence that nothing could have written over the copy meanwhile; if something
/// could, it throws the copy away and moves on to the oldest message still in the ring (<see cref="SpyRead.Skipped"/>).
/// What counts as "could", by topology:
/// </para>
/// <list type="bullet">
/// <item>SPSC: the producer writes only below the consumer's Head plus the capacity, so a record at or past Head (not
/// yet consumed) is intact. One behind Head is intact only while the producer's Tail, plus the most a producer can
/// write past its stored Tail (the record it commits before storing Tail, and one claim), is still a ring behind it.</item>
/// <item>MPSC: the consumer zeroes what it consumes, having first announced it in its row, and producers write only
/// into space the consumer returned; so a record at or past Head that the consumer's row does not announce is intact.
/// (On x86-64 the announcement is visible before any zero; on arm64 a copy torn by zeroing in progress may slip through,
/// which a decoder's own checks then see as a malformed message, never as a fault.)</item>
/// <item>Broadcast: exactly a lossy subscriber's rule: bytes at or past TailIntent minus the capacity are intact. The
/// records' sequence numbers make the count of skipped messages exact.</item>
/// </list>
/// <para>
/// Every header is checked by the rule every reader applies (<c>RingMemory.IsWellFormed</c>) before its length is used;
/// one that breaks it is a record overwritten under the spy when the check above says so, and corruption otherwise
/// (<see cref="ChannelCorruptedException"/>).
/// </para>
/// </remarks>
public sealed unsafe class ChannelSpy : IDisposable
{
    private readonly ReadOnlySegment _segment;
    private readonly ChannelHeader* _header;
    private readonly byte* _data;
    private readonly long _capacity;
    private readonly int _frame;
    private readonly int _maxPayload;
    private readonly long _producerSlack;
    private byte[] _copy = []; // grown to the largest message seen: a channel's largest may be hundreds of MiB
    private long _position;
    private long _nextSequence = -1;

    internal ChannelSpy(ReadOnlySegment segment, bool fromOldest)
    {
        _segment = segment;
        _header = segment.Header;
        _data = segment.Data;
        _capacity = segment.Geometry.Capacity;
        _maxPayload = segment.Geometry.MaxPayloadSize;
        Topology = segment.Geometry.Topology;
        _frame = Topology == ChannelTopology.Broadcast ? RecordFraming.SequencedFrame : RecordFraming.PlainFrame;
        _producerSlack = 2 * (RecordFraming.WorstCaseFootprint(_maxPayload, _frame) + RecordHeader.Size);
        _position = StartPosition();
        if (!fromOldest)
        {
            SkipToFrontier();
        }
    }

    /// <summary>The channel's name.</summary>
    public string Name => _segment.Name;

    /// <summary>The channel's topology.</summary>
    public ChannelTopology Topology { get; }

    /// <summary>The schema text stored in the channel's header (empty for raw bytes).</summary>
    public string SchemaText => _segment.Geometry.SchemaText;

    /// <summary>The ring position of the next record the spy looks at.</summary>
    public long Position => _position;

    /// <summary>
    /// The end of what producers have published or claimed so far (SPSC: the stored Tail; MPSC: the claim counter;
    /// broadcast: the committed Tail): a spy that wants what is there now, and no more, reads until <see cref="Position"/> reaches it.
    /// </summary>
    public long Frontier => Topology == ChannelTopology.MultiProducerSingleConsumer
        ? Volatile.Read(ref _header->ClaimTail) & ~MpscClaimTail.ClosedBit
        : Volatile.Read(ref _header->Tail);

    /// <summary>Broadcast: the sequence number of the last message read; -1 for other topologies.</summary>
    public long LastSequence { get; private set; } = -1;

    /// <summary>After <see cref="SpyRead.Skipped"/>: how many messages were missed (broadcast), or -1 when the ring does not count them (SPSC, MPSC).</summary>
    public long LastSkippedMessages { get; private set; }

    /// <summary>After <see cref="SpyRead.Skipped"/>: how many ring bytes were passed over (SPSC, MPSC), or -1 (broadcast).</summary>
    public long LastSkippedBytes { get; private set; }

    /// <summary>
    /// Copies the next message out, when there is one. <paramref name="payload"/> is valid until the next call; it is a
    /// copy, so nothing a peer does later changes it.
    /// </summary>
    /// <exception cref="ChannelCorruptedException">The ring holds what no producer writes, and the spy was not lapped.</exception>
    /// <exception cref="ObjectDisposedException">The spy is disposed.</exception>
    public SpyRead TryRead(out ReadOnlyMemory<byte> payload)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        payload = default;
        long padding = 0;
        int rounds = 0;
        while (true)
        {
            if (!TryHeaderAt(_position, out RecordHeader record, out long limit))
            {
                if (IsIntact(_position))
                {
                    return SpyRead.None;
                }

                if (Resynchronise(ref rounds))
                {
                    return SpyRead.Skipped;
                }

                padding = 0;
                continue;
            }

            if (!Ring.RingMemory.IsWellFormed(_position, record, limit, _capacity, _frame, _maxPayload, out long footprint, out bool isPadding))
            {
                if (!IsIntact(_position))
                {
                    if (Resynchronise(ref rounds))
                    {
                        return SpyRead.Skipped;
                    }

                    padding = 0;
                    continue;
                }

                throw Corrupted($"the record at position {_position} has type {record.Type} and length {record.Length}, which no producer writes there");
            }

            if (isPadding)
            {
                padding += footprint;
                if (padding > _capacity)
                {
                    throw Corrupted($"more than a ring's worth of padding follows position {_position + footprint - padding}");
                }

                _position += footprint;
                continue;
            }

            byte* frame = _data + (_position & (_capacity - 1));
            long sequence = Topology == ChannelTopology.Broadcast ? *(long*)(frame + RecordHeader.Size) : -1;
            int length = record.Length - _frame;
            if (_copy.Length < length)
            {
                _copy = new byte[Math.Min(_maxPayload, Math.Max(length, Math.Max(4096, 2 * _copy.Length)))];
            }

            new ReadOnlySpan<byte>(frame + _frame, length).CopyTo(_copy);
            if (!IsIntact(_position))
            {
                if (Resynchronise(ref rounds))
                {
                    return SpyRead.Skipped;
                }

                padding = 0;
                continue;
            }

            if (Topology == ChannelTopology.Broadcast && _nextSequence >= 0 && sequence != _nextSequence)
            {
                if (sequence < _nextSequence)
                {
                    throw Corrupted($"the record at position {_position} has sequence {sequence}, expected {_nextSequence} or later");
                }

                // Reported first; the record itself is read again by the next call, which then finds the sequence it expects.
                LastSkippedMessages = sequence - _nextSequence;
                LastSkippedBytes = -1;
                _nextSequence = sequence;
                return SpyRead.Skipped;
            }

            _nextSequence = sequence + 1;
            LastSequence = sequence;
            _position += footprint;
            payload = new ReadOnlyMemory<byte>(_copy, 0, length);
            return SpyRead.Message;
        }
    }

    /// <summary>
    /// The header at <paramref name="position"/> if a record was committed there, and how far records may reach: false
    /// when nothing is committed there yet (as far as the ring shows; the caller still asks whether it was lapped).
    /// </summary>
    private bool TryHeaderAt(long position, out RecordHeader record, out long limit)
    {
        RecordHeader* at = (RecordHeader*)(_data + (position & (_capacity - 1)));
        switch (Topology)
        {
            case ChannelTopology.MultiProducerSingleConsumer:
                // A positive length, loaded with acquire, is the commit; a header is written only inside a claim.
                int length = Volatile.Read(ref at->Length);
                record = new RecordHeader { Length = length, Type = at->Type };
                limit = Volatile.Read(ref _header->ClaimTail) & ~MpscClaimTail.ClosedBit;
                return length > 0;
            case ChannelTopology.Broadcast:
                // Tail is the commit: everything below it, loaded after it with acquire, was published.
                limit = Volatile.Read(ref _header->Tail);
                record = *at;
                return position < limit;
            default:
                // The whole 8-byte header, stored by one release store, is the commit; the header at the tail is zero.
                long word = Volatile.Read(ref *(long*)at);
                record = Unsafe.As<long, RecordHeader>(ref word);
                limit = position + _capacity - RecordHeader.Size;
                return word != 0;
        }
    }

    /// <summary>Whether nothing at or past <paramref name="position"/> can have been overwritten, as of every read before this call.</summary>
    private bool IsIntact(long position)
    {
        Interlocked.MemoryBarrier(); // the caller's reads of the record happen before the loads that vouch for them
        switch (Topology)
        {
            case ChannelTopology.Broadcast:
                return Volatile.Read(ref _header->TailIntent) - _capacity <= position;
            case ChannelTopology.MultiProducerSingleConsumer:
                ParticipantRow* consumer = _segment.Row(0);
                long zeroing = Volatile.Read(ref consumer->Position); // announced before the zeroes, ClaimEnd before it
                long zeroingEnd = Volatile.Read(ref consumer->ClaimEnd);
                return Volatile.Read(ref _header->Head) <= position && !(zeroing >= 0 && zeroing <= position && position < zeroingEnd);
            default:
                return Volatile.Read(ref _header->Head) <= position || Volatile.Read(ref _header->Tail) + _producerSlack <= position + _capacity;
        }
    }

    /// <summary>
    /// Moves to the oldest record still in the ring, having been lapped at the current position. SPSC and MPSC report
    /// the bytes passed over now; broadcast reports nothing yet (false): the next record's sequence number says exactly
    /// how many messages were missed, and the read goes on.
    /// </summary>
    private bool Resynchronise(ref int rounds)
    {
        // An honest producer laps the spy again before its next look only by writing a whole ring in a few loads.
        if (++rounds > MaxResynchronisations)
        {
            throw Corrupted($"the spy was lapped again each of the {MaxResynchronisations} times it moved to the oldest record");
        }

        long from = _position;
        long to = StartPosition();
        if (to < from)
        {
            throw Corrupted($"the oldest record position {to} is behind the spy's position {from}, which was found overwritten");
        }

        _position = to;
        LastSkippedMessages = -1;
        LastSkippedBytes = to - from;
        return Topology != ChannelTopology.Broadcast;
    }

    private const int MaxResynchronisations = 1000;

    /// <summary>The oldest record position the ring still has: Head (SPSC, MPSC), or Oldest (broadcast), checked.</summary>
    private long StartPosition()
    {
        long position;
        long tail;
        if (Topology == ChannelTopology.Broadcast)
        {
            // TailIntent before Oldest: Oldest is stored before the claim that overwrites is announced, so read second it
            // is at least TailIntent - Capacity, and a record boundary.
            long intent = Volatile.Read(ref _header->TailIntent);
            position = Volatile.Read(ref _header->Oldest);
            tail = Volatile.Read(ref _header->Tail);
            if (position < intent - _capacity)
            {
                throw Corrupted($"the oldest record position {position} is already announced overwritten (TailIntent {intent})");
            }
        }
        else
        {
            position = Volatile.Read(ref _header->Head);
            tail = Frontier;
        }

        if (position < 0 || (position & 7) != 0 || position > tail + _producerSlack || tail - position > _capacity + _producerSlack)
        {
            throw Corrupted($"the oldest position {position} is impossible for tail {tail}");
        }

        return position;
    }

    /// <summary>Moves past every message published so far (reading them, since records are found only by walking forward).</summary>
    private void SkipToFrontier()
    {
        long frontier = Frontier;
        for (int reads = 0; _position < frontier && reads < 1 << 24; reads++)
        {
            if (TryRead(out _) == SpyRead.None && IsIntact(_position))
            {
                break;
            }
        }
    }

    private ChannelCorruptedException Corrupted(string what) =>
        new($"Channel '{Name}' is corrupted: {what}. A peer process is faulty or wrote into the segment.");

    private bool _disposed;

    /// <summary>Unmaps the segment.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _segment.Dispose();
        }
    }
}
