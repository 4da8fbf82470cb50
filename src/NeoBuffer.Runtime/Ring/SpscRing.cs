using System;
using System.Runtime.CompilerServices;
using System.Threading;
using NeoBuffer.Format;
using NeoBuffer.Segments;
using NeoBuffer.Waiting;

namespace NeoBuffer.Ring;

/// <summary>
/// The single-producer single-consumer ring protocol (docs/format.md, "SPSC protocol"). One instance per endpoint:
/// a writer uses the producer half, a reader the consumer half. Neither half is thread-safe; each side has one owner.
/// <para>
/// Publication: the producer writes padding, record header and payload with plain stores, then publishes them all at
/// once by storing <see cref="ChannelHeader.Tail"/> with release semantics; the consumer's acquire load of the tail
/// makes every byte before it visible. Symmetrically the consumer returns space by storing
/// <see cref="ChannelHeader.Head"/> after it has finished reading. Both publishing stores are full fences
/// (<see cref="Interlocked.Exchange(ref long, long)"/>) so that the following load of the peer's wake word cannot be
/// ordered before them: that store-then-load pair, mirrored by the parking side, is what makes a lost wake-up impossible.
/// </para>
/// <para>
/// Every position read from shared memory is checked against this side's own position and the capacity validated at
/// open (never re-read from the header) before it is used to compute an address.
/// </para>
/// </summary>
internal sealed unsafe class SpscRing
{
    private readonly ChannelHeader* _header;
    private readonly byte* _data;
    private readonly long _capacity;
    private readonly long _mask;
    private readonly int _maxPayload;
    private readonly string _name;

    // Producer half.
    private long _tail;
    private long _cachedHead;
    private long _claimPosition = -1;
    private long _claimEnd;
    private int _claimLength;

    // Consumer half.
    private long _head;
    private long _cachedTail;
    private long _leaseEnd = -1;

    public SpscRing(SharedSegment segment)
    {
        _header = segment.Header;
        _data = segment.Data;
        _capacity = segment.Geometry.Capacity;
        _mask = _capacity - 1;
        _maxPayload = segment.Geometry.MaxPayloadSize;
        _name = segment.Name;

        // A producer or consumer that attaches to a live channel resumes where the previous one of its role stopped.
        _head = Volatile.Read(ref _header->Head);
        _tail = Volatile.Read(ref _header->Tail);
        if (_head < 0 || _head > _tail || _tail - _head > _capacity || (_head & 7) != 0 || (_tail & 7) != 0)
        {
            throw Corrupted($"head {_head} and tail {_tail} are inconsistent");
        }

        _cachedHead = _head;
        _cachedTail = _tail;
    }

    public int MaxPayload => _maxPayload;

    public nint ReaderWakeWord => (nint)(&_header->ReaderWake);

    public nint WriterWakeWord => (nint)(&_header->WriterWake);

    // ------------------------------------------------------------------------------------------------------------
    // Producer: claim -> fill -> commit (or abort)
    // ------------------------------------------------------------------------------------------------------------

    public bool HasOpenClaim => _claimPosition >= 0;

    /// <summary>
    /// Reserves room for a record of <paramref name="length"/> payload bytes and returns where its payload goes, or
    /// null when the ring is too full now. Nothing is visible to the consumer until <see cref="Commit"/>.
    /// </summary>
    public byte* TryClaim(int length)
    {
        if (_claimPosition >= 0)
        {
            ThrowClaimOpen();
        }

        if ((uint)length > (uint)_maxPayload)
        {
            ThrowTooLarge(length);
        }

        long padding = RecordFraming.PaddingBefore(_tail, length, _capacity);
        long end = _tail + padding + RecordFraming.Footprint(length);
        if (end - _cachedHead > _capacity)
        {
            _cachedHead = ReadHead();
            if (end - _cachedHead > _capacity)
            {
                return null;
            }
        }

        WritePadding(_tail, padding);
        _claimPosition = _tail + padding;
        _claimEnd = end;
        _claimLength = length;
        return _data + (_claimPosition & _mask) + RecordHeader.Size;
    }

    /// <summary>Publishes the claimed record (and any padding before it) to the consumer.</summary>
    public void Commit()
    {
        var record = (RecordHeader*)(_data + (_claimPosition & _mask));
        record->Type = RecordHeader.TypeMessage;
        record->Length = RecordHeader.Size + _claimLength;
        _tail = _claimEnd;
        _claimPosition = -1;
        Interlocked.Exchange(ref _header->Tail, _tail);
        if (Volatile.Read(ref _header->ReaderWake) != 0)
        {
            RingWait.WakeWord((nint)(&_header->ReaderWake));
        }
    }

    /// <summary>Forgets the claim: the space is reused by the next claim, and the consumer never sees it.</summary>
    public void Abort() => _claimPosition = -1;

    /// <summary>Whether a record of <paramref name="length"/> payload bytes fits now.</summary>
    public bool HasSpaceFor(int length)
    {
        long end = _tail + RecordFraming.PaddingBefore(_tail, length, _capacity) + RecordFraming.Footprint(length);
        if (end - _cachedHead <= _capacity)
        {
            return true;
        }

        _cachedHead = ReadHead();
        return end - _cachedHead <= _capacity;
    }

    private void WritePadding(long position, long padding)
    {
        if (padding == 0)
        {
            return;
        }

        // At most two pieces: to the end of the ring, then from its start to the payload's alignment.
        long offset = position & _mask;
        long first = Math.Min(padding, _capacity - offset);
        *(RecordHeader*)(_data + offset) = new RecordHeader { Length = (int)first, Type = RecordHeader.TypePadding };
        if (padding > first)
        {
            *(RecordHeader*)_data = new RecordHeader { Length = (int)(padding - first), Type = RecordHeader.TypePadding };
        }
    }

    private long ReadHead()
    {
        long head = Volatile.Read(ref _header->Head);
        if (head > _tail || _tail - head > _capacity || (head & 7) != 0)
        {
            throw Corrupted($"the consumer's head {head} is impossible for producer tail {_tail}");
        }

        return head;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Consumer: lease a record in place -> read it -> release
    // ------------------------------------------------------------------------------------------------------------

    public bool HasOpenLease => _leaseEnd >= 0;

    /// <summary>
    /// Finds the next committed message and leases it: returns its payload and length, or false when none is committed.
    /// The bytes stay the consumer's until <see cref="EndRead"/>.
    /// </summary>
    public bool TryBeginRead(out byte* payload, out int length)
    {
        if (_leaseEnd >= 0)
        {
            ThrowLeaseOpen();
        }

        if (!TryFindNext(out long offset, out length))
        {
            payload = null;
            return false;
        }

        _leaseEnd = _head + RecordFraming.Footprint(length);
        payload = _data + offset + RecordHeader.Size;
        return true;
    }

    /// <summary>Returns the leased record's space to the producer.</summary>
    public void EndRead()
    {
        _head = _leaseEnd;
        _leaseEnd = -1;
        PublishHead();
    }

    /// <summary>Drops the lease without consuming the record: the next read returns it again.</summary>
    public void AbandonRead() => _leaseEnd = -1;

    /// <summary>Whether a committed message is waiting (skipping any padding in front of it).</summary>
    public bool HasMessage() => TryFindNext(out _, out _);

    /// <summary>
    /// Skips padding up to the next committed message and validates its header: on true, the message starts at ring
    /// offset <paramref name="offset"/> and has <paramref name="length"/> payload bytes.
    /// </summary>
    private bool TryFindNext(out long offset, out int length)
    {
        while (true)
        {
            if (_head == _cachedTail)
            {
                _cachedTail = ReadTail();
                if (_head == _cachedTail)
                {
                    offset = 0;
                    length = 0;
                    return false;
                }
            }

            offset = _head & _mask;
            RecordHeader record = *(RecordHeader*)(_data + offset);
            long footprint = RecordFraming.Align8(record.Length);
            if (record.Length < RecordHeader.Size || footprint > _capacity - offset || footprint > _cachedTail - _head)
            {
                throw Corrupted($"the record at position {_head} claims {record.Length} bytes, which does not fit between it and the tail {_cachedTail} or the end of the ring");
            }

            if (record.Type == RecordHeader.TypePadding)
            {
                _head += footprint;
                PublishHead();
                continue;
            }

            length = record.Length - RecordHeader.Size;
            if (record.Type != RecordHeader.TypeMessage || length > _maxPayload)
            {
                throw Corrupted($"the record at position {_head} has type {record.Type} and {length} payload bytes (at most {_maxPayload} allowed)");
            }

            return true;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void PublishHead()
    {
        Interlocked.Exchange(ref _header->Head, _head);
        if (Volatile.Read(ref _header->WriterWake) != 0)
        {
            RingWait.WakeWord((nint)(&_header->WriterWake));
        }
    }

    private long ReadTail()
    {
        long tail = Volatile.Read(ref _header->Tail);
        if (tail < _head || tail - _head > _capacity || (tail & 7) != 0)
        {
            throw Corrupted($"the producer's tail {tail} is impossible for consumer head {_head}");
        }

        return tail;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Completion and wake-ups
    // ------------------------------------------------------------------------------------------------------------

    public int CompletionState => Volatile.Read(ref _header->Completion);

    /// <summary>Whether the producer completed the channel and every message it wrote has been read.</summary>
    public bool IsDrainedAndCompleted() =>
        // Completion is stored after the last tail, so seeing it and then still no message means there will be none.
        CompletionState != NeoBuffer.Format.CompletionState.Open && !HasMessage();

    /// <summary>Marks the channel completed (or faulted with <paramref name="error"/>); false when it already was.</summary>
    public bool TryComplete(string? error)
    {
        if (CompletionState != NeoBuffer.Format.CompletionState.Open)
        {
            return false;
        }

        int state = error is null ? NeoBuffer.Format.CompletionState.Completed : NeoBuffer.Format.CompletionState.Faulted;
        if (error is not null)
        {
            var text = new Span<byte>(Unsafe.AsPointer(ref _header->CompletionError), 248);
            int written = System.Text.Encoding.UTF8.GetBytes(error.AsSpan(0, Math.Min(error.Length, 200)), text);
            _header->CompletionErrorLength = written;
        }

        if (Interlocked.CompareExchange(ref _header->Completion, state, NeoBuffer.Format.CompletionState.Open) != NeoBuffer.Format.CompletionState.Open)
        {
            return false;
        }

        RingWait.WakeWord((nint)(&_header->ReaderWake));
        RingWait.WakeWord((nint)(&_header->WriterWake));
        return true;
    }

    /// <summary>The producer's completion error, bounded and decoded leniently (it came from shared memory).</summary>
    public string CompletionError()
    {
        int length = Math.Clamp(Volatile.Read(ref _header->CompletionErrorLength), 0, 248);
        return System.Text.Encoding.UTF8.GetString(new ReadOnlySpan<byte>(Unsafe.AsPointer(ref _header->CompletionError), length));
    }

    private ChannelCorruptedException Corrupted(string what) =>
        new($"Channel '{_name}' is corrupted: {what}. A peer process is faulty or wrote into the segment; the channel cannot be trusted further.");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowClaimOpen() =>
        throw new InvalidOperationException("A claim is already open on this writer: commit or abort it (dispose the WriteClaim) before claiming again.");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowLeaseOpen() =>
        throw new InvalidOperationException("A read lease is already held on this reader: dispose it before reading again.");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowTooLarge(int length) =>
        throw new ArgumentOutOfRangeException(nameof(length), length,
            $"A message of {length} bytes is larger than channel '{_name}' allows ({_maxPayload} bytes). Create the channel with a larger MaxMessageSize (and Capacity).");
}
