using System;

namespace NeoBuffer;

/// <summary>
/// One <typeparamref name="T"/> message leased in place by <see cref="SharedChannelReader{T}.LeaseAllAsync"/>. Read it
/// through the generated view, <c>new T.View(message.Payload)</c>, before the enumeration moves on, which ends the lease.
/// </summary>
/// <typeparam name="T">The message type.</typeparam>
public readonly struct LeasedMessage<T> where T : unmanaged, IChannelMessage<T>
{
    private readonly LeasedMessage _message;

    internal LeasedMessage(LeasedMessage message) => _message = message;

    /// <summary>The whole record (fixed block, then the tail), in shared memory. A peer wrote it: views validate it.</summary>
    /// <exception cref="InvalidOperationException">The enumeration has moved past this message.</exception>
    public ReadOnlySpan<byte> Payload => _message.Payload;

    /// <summary>Length of the record in bytes.</summary>
    public int Length => _message.Length;

    /// <summary>Whether the producer has started overwriting it (lossy subscribers only; see <see cref="LeasedMessage.IsOverwritten"/>).</summary>
    /// <exception cref="InvalidOperationException">The enumeration has moved past this message.</exception>
    public bool IsOverwritten => _message.IsOverwritten;
}
