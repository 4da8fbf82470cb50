using System;
using System.Buffers.Binary;

namespace NeoBuffer.Handles;

/// <summary>
/// The two messages of a handle connection (docs/format.md, "Handle passing"), each one sequenced packet:
/// a hello, <c>'H' 1 0 0 0 0 0 0</c> and the connection token (8 bytes LE), first and once; then batches,
/// <c>'B' 1 count 0</c>, the sequence (4 bytes LE), and one kind byte per handle, with the descriptors attached in the
/// same order (SCM_RIGHTS).
/// </summary>
internal static class HandleWire
{
    public const byte Version = 1;
    public const int HelloLength = 16;
    public const int BatchHeaderLength = 8;

    /// <summary>Large enough for any valid message plus one byte, so that a longer one shows as truncated.</summary>
    public const int ReceiveBufferLength = BatchHeaderLength + HandleBatch.MaxHandles + 8;

    private const byte Hello = (byte)'H';
    private const byte Batch = (byte)'B';

    public static void WriteHello(Span<byte> destination, ulong token)
    {
        destination[..HelloLength].Clear();
        destination[0] = Hello;
        destination[1] = Version;
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], token);
    }

    /// <summary>The token of a well-formed hello; 0 for anything else.</summary>
    public static ulong ReadHello(ReadOnlySpan<byte> message) =>
        message.Length == HelloLength && message[0] == Hello && message[1] == Version ? BinaryPrimitives.ReadUInt64LittleEndian(message[8..]) : 0;

    /// <summary>Writes a batch header and its kinds; returns the message's length.</summary>
    public static int WriteBatch(Span<byte> destination, uint sequence, ReadOnlySpan<HandleKind> kinds)
    {
        destination[0] = Batch;
        destination[1] = Version;
        destination[2] = (byte)kinds.Length;
        destination[3] = 0;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], sequence);
        for (int i = 0; i < kinds.Length; i++)
        {
            destination[BatchHeaderLength + i] = (byte)kinds[i];
        }

        return BatchHeaderLength + kinds.Length;
    }

    /// <summary>
    /// Parses a batch: null when <paramref name="message"/> is well formed (its sequence and kinds are then out), else
    /// why not.
    /// </summary>
    public static string? ReadBatch(ReadOnlySpan<byte> message, out uint sequence, out ReadOnlySpan<byte> kinds)
    {
        sequence = 0;
        kinds = default;
        if (message.Length < BatchHeaderLength || message[0] != Batch || message[1] != Version)
        {
            return message.Length > 0 && message[0] == Hello ? "a second hello" : $"a {message.Length}-byte message that is not a handle batch";
        }

        int count = message[2];
        if (count is 0 or > HandleBatch.MaxHandles || message.Length != BatchHeaderLength + count)
        {
            return $"a batch declaring {count} handles in a {message.Length}-byte message (1 to {HandleBatch.MaxHandles} allowed)";
        }

        sequence = BinaryPrimitives.ReadUInt32LittleEndian(message[4..]);
        kinds = message.Slice(BatchHeaderLength, count);
        return null;
    }
}
