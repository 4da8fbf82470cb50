using System;

namespace NeoBuffer;

/// <summary>
/// One message read in place from the ring. <see cref="Payload"/> points into shared memory and stays valid until the
/// lease is disposed, which returns the space to the writer. Copy out what you need to keep.
/// </summary>
public ref struct ReadLease
{
    private SharedChannelReader? _reader;

    internal ReadLease(SharedChannelReader reader, ReadOnlySpan<byte> payload)
    {
        _reader = reader;
        Payload = payload;
    }

    /// <summary>The message's bytes, in shared memory.</summary>
    public ReadOnlySpan<byte> Payload { get; private set; }

    /// <summary>Length of <see cref="Payload"/> in bytes.</summary>
    public readonly int Length => Payload.Length;

    /// <summary>
    /// Whether the producer has started overwriting this message since it was leased. Only a
    /// <see cref="SubscriberMode.Lossy"/> broadcast subscriber can be overwritten: check this after reading the payload,
    /// and drop what you read when it is true (a torn frame). Always false otherwise.
    /// </summary>
    public readonly bool IsOverwritten => _reader is not null && !_reader.IsLeaseIntact();

    /// <summary>Releases the message; its space goes back to the writer. Idempotent.</summary>
    public void Dispose()
    {
        SharedChannelReader? reader = _reader;
        if (reader is not null)
        {
            int length = Payload.Length;
            _reader = null;
            Payload = default;
            reader.EndLease(length);
        }
    }
}
