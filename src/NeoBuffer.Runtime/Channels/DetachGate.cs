using System.Threading;

namespace NeoBuffer;

/// <summary>
/// When an endpoint may give up its role and unmap its segment: once it is disposed and no wait is in flight (a wait's
/// condition and peer check run the ring protocol, on the caller's thread or the futex waiter thread, and write the
/// ring and the participant table), and then exactly once. Dispose, the end of the last wait and, for a reader, the end
/// of an open lease each ask; the first that finds the endpoint ready detaches it.
/// </summary>
/// <remarks>
/// A wait's start and Dispose are a Dekker pair: the wait increments the count (a full fence) before it loads the
/// disposed flag, and Dispose sets the flag by exchange (a full fence) before it loads the count. Either Dispose sees
/// the wait and leaves the detach to its end, or the wait sees the dispose and backs out; neither misses the other.
/// A mutable struct: keep it in a field and call it in place.
/// </remarks>
internal struct DetachGate
{
    private int _disposed;
    private int _waits;
    private int _detached;

    /// <summary>Whether <see cref="TryDispose"/> was called.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Marks the endpoint disposed; true for the first call only.</summary>
    public bool TryDispose() => Interlocked.Exchange(ref _disposed, 1) == 0;

    /// <summary>Counts a wait in flight; false when the endpoint is disposed (the wait must still call <see cref="ExitWait"/>).</summary>
    public bool TryEnterWait()
    {
        Interlocked.Increment(ref _waits);
        return !IsDisposed;
    }

    /// <summary>Ends a wait; true when it was the last one out of a disposed endpoint, which may now detach.</summary>
    public bool ExitWait() => Interlocked.Decrement(ref _waits) == 0 && IsDisposed;

    /// <summary>Whether no wait is in flight (called after the caller's own full fence, such as <see cref="TryDispose"/>).</summary>
    public bool HasNoWaits => Volatile.Read(ref _waits) == 0;

    /// <summary>True for the one caller that gets to detach.</summary>
    public bool TryDetach() => Interlocked.Exchange(ref _detached, 1) == 0;
}
