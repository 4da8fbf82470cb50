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
/// given by any thread disposing a lease. A giver stores the buffer only when it finds the place empty; a taker loads it
/// and empties the place. Plain loads and stores do: if a give lands between the taker's load and its store, that
/// buffer is dropped to the collector, never handed out twice; a buffer stands here only after its lease let go of it.
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

    /// <summary>Keeps <paramref name="buffer"/> for the next response, or returns it to the pool when one is kept already.</summary>
    public void Give(byte[] buffer)
    {
        if (Volatile.Read(ref _spare) is null)
        {
            Volatile.Write(ref _spare, buffer);
        }
        else
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
