using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NeoBuffer.Bench.Measurements;

/// <summary>
/// What every consumer does per message, whatever the transport: check that its sequence number is the next one (no
/// loss, duplicate or reorder) and read every byte of it once (a vectorised sum, kept so the JIT cannot drop the reads).
/// NeoBuffer's consumer reads the message in place in shared memory; the socket's consumer reads the buffer recv(2)
/// copied it into.
/// </summary>
internal sealed class MessageCheck
{
    public const string Description = "checks the sequence number and reads every byte once (vectorised sum)";

    private long _expected;
    private Vector256<ulong> _sum;

    public long Received => _expected;

    /// <summary>A value that depends on every byte read, so the reads are real.</summary>
    public ulong Checksum => Vector256.Sum(_sum);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Accept(ReadOnlySpan<byte> message)
    {
        long sequence = MemoryMarshal.Read<long>(message);
        if (sequence != _expected)
        {
            ThrowOutOfSequence(sequence);
        }

        _expected++;
        _sum += SumOf(message);
    }

    /// <summary>Reads every byte of <paramref name="message"/> once; the result depends on each, so the reads are real.</summary>
    public static ulong ReadEveryByte(ReadOnlySpan<byte> message) => Vector256.Sum(SumOf(message));

    private static Vector256<ulong> SumOf(ReadOnlySpan<byte> message)
    {
        ReadOnlySpan<Vector256<ulong>> vectors = MemoryMarshal.Cast<byte, Vector256<ulong>>(message);
        Vector256<ulong> a = Vector256<ulong>.Zero, b = a, c = a, d = a;
        int i = 0;
        for (; i + 4 <= vectors.Length; i += 4)
        {
            a += vectors[i];
            b += vectors[i + 1];
            c += vectors[i + 2];
            d += vectors[i + 3];
        }

        for (; i < vectors.Length; i++)
        {
            a += vectors[i];
        }

        ulong tail = 0;
        foreach (byte value in message[(vectors.Length * Vector256<byte>.Count)..])
        {
            tail += value;
        }

        return a + b + c + d + Vector256.CreateScalar(tail);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowOutOfSequence(long sequence) =>
        throw new InvalidOperationException($"Message {sequence} arrived where {_expected} was expected.");
}
