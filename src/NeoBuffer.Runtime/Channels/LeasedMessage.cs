using System;

namespace NeoBuffer;

/// <summary>
/// One message leased in place by <see cref="SharedChannelReader.LeaseAllAsync"/>: a lease that an
/// <c>await foreach</c> can carry, which a <see cref="ReadLease"/> cannot. The enumeration ends the lease when it moves
/// on; after that <see cref="Payload"/> throws rather than show bytes the writer may already have reused.
/// </summary>
public readonly unsafe struct LeasedMessage
{
    private readonly SharedChannelReader? _reader;
    private readonly byte* _payload;
    private readonly long _leaseNumber;

    internal LeasedMessage(SharedChannelReader reader, byte* payload, int length, long leaseNumber)
    {
        _reader = reader;
        _payload = payload;
        Length = length;
        _leaseNumber = leaseNumber;
    }

    /// <summary>The message's bytes, in shared memory.</summary>
    /// <exception cref="InvalidOperationException">The enumeration has moved past this message, which is no longer leased.</exception>
    public ReadOnlySpan<byte> Payload
    {
        get
        {
            ThrowIfEnded();
            return new ReadOnlySpan<byte>(_payload, Length);
        }
    }

    /// <summary>Length of <see cref="Payload"/> in bytes.</summary>
    public int Length { get; }

    /// <summary>
    /// Whether the producer has started overwriting this message since it was leased (see
    /// <see cref="ReadLease.IsOverwritten"/>): only a <see cref="SubscriberMode.Lossy"/> broadcast subscriber's can be.
    /// Check it after reading the payload and drop what you read when it is true.
    /// </summary>
    /// <exception cref="InvalidOperationException">The enumeration has moved past this message.</exception>
    public bool IsOverwritten
    {
        get
        {
            ThrowIfEnded();
            return !_reader!.IsLeaseIntact();
        }
    }

    // The reader numbers its leases and counts one up as each ends, so a stale copy of this struct cannot read a
    // window the ring has handed back to the writer.
    private void ThrowIfEnded()
    {
        if (_reader is null || _reader.LeaseNumber != _leaseNumber)
        {
            throw new InvalidOperationException(
                "This message is no longer leased: the enumeration that leased it has moved on (or it was never leased). Copy what you keep before the loop moves on.");
        }
    }
}
