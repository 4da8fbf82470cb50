using System;
using System.Buffers;
using System.Threading;
using System.Threading.Channels;

namespace NeoBuffer;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over one claim at a time, for serializers that write to a buffer writer
/// (<c>Utf8JsonWriter</c>, protobuf, MessagePack): <see cref="Claim(int, CancellationToken)"/> the most a message may
/// take, let the serializer write through <see cref="GetSpan"/>/<see cref="GetMemory"/> and <see cref="Advance"/>,
/// then <see cref="Commit"/> publishes exactly the <see cref="WrittenCount"/> bytes written. The bytes are written in
/// place in shared memory: nothing is copied, and nothing is allocated per message (the one
/// <see cref="MemoryManager{T}"/> behind <see cref="GetMemory"/> belongs to this object and is reused).
/// <para>
/// Spans and memory handed out are valid until the claim is committed or aborted. Disposing this object aborts an open
/// claim (a message is never published half-written); it does not dispose the channel writer. Not thread-safe, like
/// the writer it comes from (<see cref="SharedChannelWriter.CreateBufferWriter"/>).
/// </para>
/// </summary>
public sealed unsafe class ClaimBufferWriter : IBufferWriter<byte>, IDisposable
{
    private readonly SharedChannelWriter _writer;
    private readonly ClaimMemoryManager _memory;
    private byte* _payload;
    private int _claimed;
    private long _claim; // the writer's number for the open claim
    private int _written;
    private bool _disposed;

    internal ClaimBufferWriter(SharedChannelWriter writer)
    {
        _writer = writer;
        _memory = new ClaimMemoryManager(this);
    }

    /// <summary>Whether a claim is open (claimed and neither committed nor aborted yet).</summary>
    public bool IsClaimed => _payload != null;

    /// <summary>Bytes written (advanced over) in the open claim: what <see cref="Commit"/> publishes.</summary>
    public int WrittenCount => _written;

    /// <summary>Bytes of the open claim not written yet (0 without one).</summary>
    public int FreeCapacity => _claimed - _written;

    /// <summary>Claims up to <paramref name="maxLength"/> bytes for the next message if the ring has room now.</summary>
    /// <returns>False when the ring is full or the channel is completed.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> is negative or above <see cref="SharedChannelWriter.MaxMessageSize"/>.</exception>
    /// <exception cref="InvalidOperationException">A claim is already open: commit or abort it first.</exception>
    public bool TryClaim(int maxLength)
    {
        ThrowIfNotReadyToClaim();
        byte* payload = _writer.TryClaimPayload(maxLength);
        if (payload == null)
        {
            return false;
        }

        Open(payload, maxLength);
        return true;
    }

    /// <summary>Claims up to <paramref name="maxLength"/> bytes for the next message, waiting for room as long as it takes.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> is negative or above <see cref="SharedChannelWriter.MaxMessageSize"/>.</exception>
    /// <exception cref="InvalidOperationException">A claim is already open: commit or abort it first.</exception>
    /// <exception cref="ChannelClosedException">The channel was completed.</exception>
    public void Claim(int maxLength, CancellationToken cancellationToken = default) =>
        Claim(maxLength, Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>Claims up to <paramref name="maxLength"/> bytes for the next message, waiting up to <paramref name="timeout"/> for room.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> is negative or above <see cref="SharedChannelWriter.MaxMessageSize"/>.</exception>
    /// <exception cref="InvalidOperationException">A claim is already open: commit or abort it first.</exception>
    /// <exception cref="TimeoutException">No room appeared within <paramref name="timeout"/>.</exception>
    /// <exception cref="ChannelClosedException">The channel was completed.</exception>
    public void Claim(int maxLength, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ThrowIfNotReadyToClaim();
        Open(_writer.ClaimPayload(maxLength, timeout, cancellationToken), maxLength);
    }

    /// <summary>Records that <paramref name="count"/> more bytes were written after the ones already advanced over.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">No claim is open, or <paramref name="count"/> would pass the end of the claim; nothing is counted then.</exception>
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ThrowIfNotClaimed();
        if (count > _claimed - _written)
        {
            throw new InvalidOperationException(
                $"Cannot advance by {count} bytes: {_written} of the {_claimed} bytes claimed on channel '{_writer.Name}' are written, so only {_claimed - _written} are left. Claim a larger maxLength.");
        }

        _written += count;
    }

    /// <summary>The unwritten rest of the claim, at least <paramref name="sizeHint"/> bytes (at least one when 0).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sizeHint"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">No claim is open, or fewer than <paramref name="sizeHint"/> bytes (none, for 0) are left in it.</exception>
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        CheckRoomFor(sizeHint);
        return new Span<byte>(_payload + _written, _claimed - _written);
    }

    /// <summary>
    /// <see cref="GetSpan"/> as a <see cref="Memory{T}"/> over the same shared memory, for serializers that keep a
    /// buffer across calls; valid until the claim is committed or aborted.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sizeHint"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">No claim is open, or fewer than <paramref name="sizeHint"/> bytes (none, for 0) are left in it.</exception>
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        CheckRoomFor(sizeHint);
        return _memory.Memory.Slice(_written, _claimed - _written);
    }

    /// <summary>Publishes the <see cref="WrittenCount"/> bytes written as one message; this object is then ready for the next claim.</summary>
    /// <exception cref="InvalidOperationException">No claim is open.</exception>
    public void Commit()
    {
        ThrowIfNotClaimed();
        int claimed = _claimed;
        int written = _written;
        Close();
        WriteClaim claim = new(_writer, _claim, new Span<byte>(_payload, claimed));
        _payload = null;
        claim.Commit(written);
    }

    /// <summary>Gives the open claim back without publishing anything (nothing happens without one).</summary>
    public void Abort()
    {
        if (_payload != null)
        {
            Close();
            _payload = null;
            _writer.AbortClaim(_claim);
        }
    }

    /// <summary>Aborts the open claim, if any; the channel writer stays open.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            Abort();
            _disposed = true;
        }
    }

    /// <summary>The open claim, for the memory manager; checked on every access so a stale <see cref="Memory{T}"/> fails instead of writing into the ring.</summary>
    internal Span<byte> ClaimedSpan()
    {
        ThrowIfNotClaimed();
        return new Span<byte>(_payload, _claimed);
    }

    /// <summary>The open claim's first byte, for pinning (shared memory never moves).</summary>
    internal byte* ClaimedPointer()
    {
        ThrowIfNotClaimed();
        return _payload;
    }

    private void Open(byte* payload, int claimed)
    {
        _claim = _writer.OpenClaim;
        _payload = payload;
        _claimed = claimed;
        _written = 0;
    }

    private void Close()
    {
        _claimed = 0;
        _written = 0;
    }

    private void CheckRoomFor(int sizeHint)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sizeHint);
        ThrowIfNotClaimed();
        int left = _claimed - _written;
        if (left < Math.Max(sizeHint, 1))
        {
            throw new InvalidOperationException(
                $"The claim on channel '{_writer.Name}' has {left} of its {_claimed} bytes left, fewer than the {Math.Max(sizeHint, 1)} asked for. Claim a larger maxLength (the serializer may ask for more than it finally writes).");
        }
    }

    private void ThrowIfNotReadyToClaim()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_payload != null)
        {
            throw new InvalidOperationException("A claim is already open on this buffer writer: commit or abort it before claiming again.");
        }
    }

    private void ThrowIfNotClaimed()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_payload == null)
        {
            throw new InvalidOperationException("No claim is open on this buffer writer: call Claim or TryClaim first (spans and memory from an earlier claim end with its commit or abort).");
        }

        if (_writer.IsDisposed)
        {
            throw new ObjectDisposedException(nameof(SharedChannelWriter), "The channel writer this buffer writer claims from was disposed, which aborted the claim.");
        }
    }
}
