using System;
using System.Buffers.Binary;

namespace NeoBuffer.Testing;

/// <summary>
/// The records the stress, chaos and hostile runs send: the tests' <see cref="SequencedRecord"/> (key, length,
/// checksum, then bytes derived from the key) keyed by <see cref="ProducerKey"/>, so every record says which producer
/// wrote it and its place in that producer's stream, and the reader checks every byte without being told what was sent.
/// </summary>
public static class TaggedRecord
{
    /// <summary>Largest record: 2 KiB, so some records take the 64-byte-aligned path of payloads from 1 KiB.</summary>
    public const int MaxLength = 2048;

    public static int LengthOf(long producer, long sequence) => SequencedRecord.LengthOf(ProducerKey.Of(producer, sequence), MaxLength);

    public static void Fill(Span<byte> record, long producer, long sequence) => SequencedRecord.Fill(record, ProducerKey.Of(producer, sequence));

    /// <summary>Reads and checks a record; null when intact (with its producer and sequence), else what is wrong.</summary>
    public static string? Check(ReadOnlySpan<byte> record, out long producer, out long sequence)
    {
        long key = record.Length >= sizeof(long) ? BinaryPrimitives.ReadInt64LittleEndian(record) : -1;
        producer = key >= 0 ? ProducerKey.ProducerOf(key) : -1;
        sequence = key >= 0 ? ProducerKey.SequenceOf(key) : -1;
        return key >= 0 ? SequencedRecord.Verify(record, key, MaxLength) : $"a record of {record.Length} bytes with key {key}";
    }
}
