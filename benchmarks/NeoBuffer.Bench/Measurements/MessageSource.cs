using System;
using System.Runtime.InteropServices;

namespace NeoBuffer.Bench.Measurements;

/// <summary>
/// What every producer does per message, whatever the transport: copy the message from its own private buffer into
/// the transport's buffer (a claim in the ring, or the socket's send buffer), then stamp the sequence number into the
/// first 8 bytes. That copy is the producer "filling the frame", the one copy the design allows.
/// </summary>
internal sealed class MessageSource
{
    private readonly byte[] _bytes;

    public MessageSource(int size)
    {
        if (size < sizeof(long))
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "A message carries at least its 8-byte sequence number.");
        }

        _bytes = GC.AllocateUninitializedArray<byte>(size, pinned: true);
        new Random(size).NextBytes(_bytes);
    }

    public int Size => _bytes.Length;

    public ReadOnlySpan<byte> Bytes => _bytes;

    public void FillInto(Span<byte> destination, long sequence)
    {
        _bytes.CopyTo(destination);
        MemoryMarshal.Write(destination, in sequence);
    }
}
