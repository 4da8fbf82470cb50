using System;

namespace NeoBuffer;

/// <summary>
/// One <typeparamref name="T"/> message read in place from a typed channel. Read it through the generated view,
/// <c>new T.View(lease)</c>, then dispose the lease to hand its space back to the writer; the view is valid until then.
/// </summary>
/// <typeparam name="T">The message type.</typeparam>
public ref struct MessageLease<T> where T : unmanaged, IChannelMessage<T>
{
    private ReadLease _lease;

    internal MessageLease(ReadLease lease) => _lease = lease;

    /// <summary>The whole record (fixed block, then the tail), in shared memory. A peer wrote it: views validate it.</summary>
    public readonly ReadOnlySpan<byte> Payload => _lease.Payload;

    /// <summary>Length of the record in bytes.</summary>
    public readonly int Length => _lease.Length;

    /// <summary>
    /// Whether the producer has started overwriting this message since it was leased (see
    /// <see cref="ReadLease.IsOverwritten"/>). Only a <see cref="SubscriberMode.Lossy"/> broadcast subscriber can be
    /// overwritten: check this after reading through the view, and drop what you read when it is true (a torn message).
    /// Always false otherwise.
    /// </summary>
    public readonly bool IsOverwritten => _lease.IsOverwritten;

    /// <summary>Releases the message; its space goes back to the writer. Idempotent.</summary>
    public void Dispose() => _lease.Dispose();
}
