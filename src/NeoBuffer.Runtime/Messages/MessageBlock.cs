using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Threading;

namespace NeoBuffer;

/// <summary>
/// The 8-byte prefix in front of every record of a versioned message (<c>[ChannelMessage(Version = n)]</c>):
/// <c>uint BlockLength</c>, where the last fixed field of the writer's version ends, then <c>uint Version</c>, the
/// writer's version (for tools; readers decide by the length alone). Generated views and builders call these; they are
/// public only for that code. docs/format.md ("Versioned records") has the argument for a per-record prefix.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class MessageBlock
{
    /// <summary>Bytes in front of the message: the block length and the version, 8 so that the message stays 8-aligned.</summary>
    public const int PrefixSize = 8;

    // Absent nested messages read as zeroes from here; grown (rarely, and racing harmlessly) to the largest asked for.
    private static byte[] s_zeroes = new byte[256];

    /// <summary>
    /// Checks a versioned record's prefix and returns its block length; <paramref name="message"/> is the record after
    /// the prefix, which the generated view reads at the generator's offsets.
    /// </summary>
    /// <param name="record">The whole record, as leased.</param>
    /// <param name="minimumBlock">Where the reader's first-version fields end: every record of the message has them.</param>
    /// <param name="messageName">The schema name, for the error.</param>
    /// <param name="message">The message: the fixed block (of the writer's version), then the tail.</param>
    /// <exception cref="MessageFormatException">
    /// The record is shorter than the prefix, or its block length is below <paramref name="minimumBlock"/> or beyond
    /// the record (a faulty or hostile peer, or another message on the channel).
    /// </exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Open(ReadOnlySpan<byte> record, int minimumBlock, string messageName, out ReadOnlySpan<byte> message)
    {
        if (record.Length < PrefixSize)
        {
            ThrowBadPrefix(record.Length, 0, minimumBlock, messageName);
        }

        // One load of the length: a peer changing it meanwhile cannot get a checked value and a used value to differ.
        uint block = MessageBytes.Read<uint>(record, 0);
        if (block < (uint)minimumBlock || block > (uint)(record.Length - PrefixSize))
        {
            ThrowBadPrefix(record.Length, block, minimumBlock, messageName);
        }

        message = record.Slice(PrefixSize);
        return (int)block;
    }

    /// <summary>Writes the prefix of a versioned record and returns the message after it, for the builder to lay out.</summary>
    /// <param name="record">The whole record, at least <see cref="PrefixSize"/> plus the message's length.</param>
    /// <param name="blockLength">Where the last fixed field of this version ends.</param>
    /// <param name="version">This version.</param>
    public static Span<byte> Write(Span<byte> record, int blockLength, int version)
    {
        MessageBytes.Write(record, 0, (uint)blockLength);
        MessageBytes.Write(record, 4, (uint)version);
        return record.Slice(PrefixSize);
    }

    /// <summary><paramref name="length"/> zero bytes, read-only: what an absent nested message reads as.</summary>
    public static ReadOnlySpan<byte> Zeroes(int length)
    {
        byte[] zeroes = Volatile.Read(ref s_zeroes);
        if (zeroes.Length < length)
        {
            zeroes = new byte[length];
            Volatile.Write(ref s_zeroes, zeroes);
        }

        return zeroes.AsSpan(0, length);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowBadPrefix(int recordLength, uint block, int minimumBlock, string messageName) =>
        throw new MessageFormatException(
            recordLength < PrefixSize
                ? $"A '{messageName}' record starts with an {PrefixSize}-byte block prefix, but this one has {recordLength} bytes. The record is malformed, or the channel carries another message type."
                : $"A '{messageName}' record says its fixed block is {block} bytes long; it must be at least {minimumBlock} (the first version's fields) " +
                  $"and at most the {recordLength - PrefixSize} bytes after the prefix. The record is malformed: the peer that wrote it is faulty or hostile.");
}
