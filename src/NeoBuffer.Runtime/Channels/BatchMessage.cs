using System;

namespace NeoBuffer;

/// <summary>
/// One message of a batch read (<see cref="SharedChannelReader.TryReadBatch{THandler}(ref THandler, int)"/>), in place
/// in shared memory. Valid for the <see cref="IReadBatchHandler.OnMessage"/> call it is passed to; a typed channel's
/// handler reads it through its view, <c>new T.View(message.Payload)</c>, which checks every descriptor.
/// </summary>
public readonly ref struct BatchMessage
{
    private readonly SharedChannelReader _reader;

    internal BatchMessage(SharedChannelReader reader, ReadOnlySpan<byte> payload)
    {
        _reader = reader;
        Payload = payload;
    }

    /// <summary>The message's bytes, in shared memory.</summary>
    public ReadOnlySpan<byte> Payload { get; }

    /// <summary>Length of <see cref="Payload"/> in bytes.</summary>
    public int Length => Payload.Length;

    /// <summary>
    /// Whether the producer has started overwriting this message since it was read (see
    /// <see cref="ReadLease.IsOverwritten"/>): only a <see cref="SubscriberMode.Lossy"/> broadcast subscriber's can be.
    /// Check it after reading the payload and drop what you read when it is true; the message then counts as lost.
    /// </summary>
    public bool IsOverwritten => _reader is not null && !_reader.IsLeaseIntact();
}
