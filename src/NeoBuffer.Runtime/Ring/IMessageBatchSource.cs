using System;

namespace NeoBuffer.Ring;

/// <summary>
/// Messages a producer writes in one batch (<see cref="RingProducer.TryWriteBatch{TSource}(ref TSource)"/>): how many,
/// each one's length, and how to copy each into the space claimed for it.
/// </summary>
internal interface IMessageBatchSource
{
    /// <summary>How many messages the batch holds.</summary>
    int Count { get; }

    /// <summary>The payload length of message <paramref name="index"/>.</summary>
    int LengthAt(int index);

    /// <summary>Copies message <paramref name="index"/> into <paramref name="destination"/>, which is exactly its length.</summary>
    void CopyTo(int index, Span<byte> destination);
}
