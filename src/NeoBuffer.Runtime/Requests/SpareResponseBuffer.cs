using System;
using System.Buffers;
using System.Threading;

namespace NeoBuffer.Requests;

/// <summary>
/// One response buffer a client keeps between a disposed lease and the next response, so that a caller who disposes
/// each lease before sending again never goes to the shared array pool (a rent and a return per request).
/// </summary>
/// <remarks>
/// Taken only by the thread reading the client's response ring (one at a time, under the client's reading gate), and
/// given by any thread disposing a lease. A giver stores its buffer when it finds the place empty (or holding a smaller
/// one); a taker loads the buffer there and empties the place. Plain loads and stores do: a give that lands between a
/// taker's load and its store is dropped to the collector, never handed out twice, and a buffer stands here only after
/// its lease let go of it.
/// </remarks>
internal sealed class SpareResponseBuffer
{
    private byte[]? _spare;

    /// <summary>A buffer of at least <paramref name="length"/> bytes; the caller is the response ring's reader.</summary>
    public byte[] Take(int length)
    {
        byte[]? spare = Volatile.Read(ref _spare);
        if (spare is not null && spare.Length >= length)
        {
            Volatile.Write(ref _spare, null);
            return spare;
        }

        return ArrayPool<byte>.Shared.Rent(Math.Max(length, 64));
    }

    /// <summary>
    /// Keeps <paramref name="buffer"/> for the next response when the place is empty or holds a smaller one (then left to
    /// the collector: a taker may have just loaded it, so it never goes back to the pool from here); else returns it to
    /// the pool. An empty buffer (an empty response's) is not kept: it would never fit a response, and keep the place.
    /// </summary>
    public void Give(byte[] buffer)
    {
        if (buffer.Length == 0)
        {
            return;
        }

        byte[]? spare = Volatile.Read(ref _spare);
        if (spare is null || spare.Length < buffer.Length)
        {
            Volatile.Write(ref _spare, buffer);
        }
        else
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
