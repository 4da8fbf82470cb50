using System;
using System.Buffers.Binary;

namespace NeoBuffer.Testing;

/// <summary>
/// The test records the cross-process tests stream: a sequence number, a length, a checksum, then pseudo-random bytes
/// derived from the sequence number, so the reader can check every byte without being told what was sent.
/// </summary>
public static class SequencedRecord
{
    /// <summary>Bytes before the body: sequence (8), body length (4), checksum (4).</summary>
    public const int HeaderSize = 16;

    /// <summary>The length of record <paramref name="sequence"/>: from <see cref="HeaderSize"/> to <paramref name="maxLength"/>, varied.</summary>
    public static int LengthOf(long sequence, int maxLength)
    {
        ulong mixed = Mix((ulong)sequence);
        // Mostly small records, some large ones, so both framing paths (and the 64-byte alignment) are exercised.
        int span = (mixed & 7) == 0 ? maxLength - HeaderSize : Math.Min(maxLength - HeaderSize, 200);
        return HeaderSize + (int)((mixed >> 8) % (ulong)(span + 1));
    }

    /// <summary>Fills <paramref name="record"/> (of <see cref="LengthOf"/> bytes) as record <paramref name="sequence"/>.</summary>
    public static void Fill(Span<byte> record, long sequence)
    {
        Span<byte> body = record.Slice(HeaderSize);
        ulong state = Mix((ulong)sequence);
        for (int i = 0; i < body.Length; i++)
        {
            state = state * 6364136223846793005UL + 1442695040888963407UL;
            body[i] = (byte)(state >> 56);
        }

        BinaryPrimitives.WriteInt64LittleEndian(record, sequence);
        BinaryPrimitives.WriteInt32LittleEndian(record.Slice(8), body.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(record.Slice(12), Checksum(body));
    }

    /// <summary>Checks a record read back; returns null when it is record <paramref name="expectedSequence"/> intact, else what is wrong.</summary>
    public static string? Verify(ReadOnlySpan<byte> record, long expectedSequence, int maxLength)
    {
        if (record.Length < HeaderSize)
        {
            return $"record {expectedSequence}: only {record.Length} bytes";
        }

        long sequence = BinaryPrimitives.ReadInt64LittleEndian(record);
        if (sequence != expectedSequence)
        {
            return $"expected record {expectedSequence}, got {sequence}";
        }

        int bodyLength = BinaryPrimitives.ReadInt32LittleEndian(record.Slice(8));
        if (record.Length != LengthOf(sequence, maxLength) || bodyLength != record.Length - HeaderSize)
        {
            return $"record {sequence}: length {record.Length}, expected {LengthOf(sequence, maxLength)}";
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(record.Slice(12)) != Checksum(record.Slice(HeaderSize)))
        {
            return $"record {sequence}: checksum mismatch";
        }

        return null;
    }

    private static uint Checksum(ReadOnlySpan<byte> body)
    {
        uint hash = 2166136261;
        foreach (byte b in body)
        {
            hash = (hash ^ b) * 16777619;
        }

        return hash;
    }

    private static ulong Mix(ulong x)
    {
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdUL;
        x ^= x >> 33;
        x *= 0xc4ceb9fe1a85ec53UL;
        return x ^ (x >> 33);
    }
}
