using System;
using System.Buffers.Binary;

namespace NeoBuffer.Nats;

/// <summary>
/// The fixed 24-byte prefix of every message a bridge publishes, in place of headers (docs/nats.md, "Wire format"):
/// <c>'N' 'B'</c>, the format version, the kind, the record count of a batch (zero for the other kinds), the schema
/// fingerprint and the run's sequence number (both 64-bit little-endian). A record message's payload after it is the
/// record's bytes exactly; a batch's, its records framed (<see cref="RecordBatch"/>); an end marker's, the UTF-8 text of
/// the error the channel was completed with (nothing when it completed cleanly).
/// <para>
/// Why a prefix and not headers: NATS.Net parses every received header block into a dictionary of strings, which at
/// 64 B costs more than everything else the bridge does; a fixed binary prefix costs 24 bytes on the wire and a few
/// loads. Other subscribers still tell what a message is from the first bytes: the magic, the version, the fingerprint.
/// </para>
/// </summary>
internal readonly record struct Envelope(EnvelopeKind Kind, ulong Fingerprint, long Sequence, int Count = 0)
{
    /// <summary>Bytes before the record: a multiple of 8, so a record keeps the alignment it had in the ring.</summary>
    public const int Size = 24;

    /// <summary>
    /// The format this build writes and the only one it reads. A receiver refuses (and counts in Rejected) any other,
    /// and a message carrying the previous format's <c>NeoBuffer-Fingerprint</c> header, instead of misreading it.
    /// </summary>
    public const byte CurrentVersion = 1;

    private const byte Magic0 = (byte)'N';
    private const byte Magic1 = (byte)'B';

    public void WriteTo(Span<byte> destination)
    {
        destination = destination[..Size];
        destination[0] = Magic0;
        destination[1] = Magic1;
        destination[2] = CurrentVersion;
        destination[3] = (byte)Kind;
        BinaryPrimitives.WriteInt32LittleEndian(destination[4..], Count);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], Fingerprint);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], Sequence);
    }

    /// <summary>Reads the prefix of <paramref name="message"/>; <paramref name="version"/> is set whenever the magic is there.</summary>
    public static EnvelopeRead TryRead(ReadOnlySpan<byte> message, out Envelope envelope, out byte version)
    {
        envelope = default;
        version = 0;
        if (message.Length < 3 || message[0] != Magic0 || message[1] != Magic1)
        {
            return EnvelopeRead.NotAnEnvelope;
        }

        version = message[2];
        if (version != CurrentVersion)
        {
            return EnvelopeRead.OtherVersion;
        }

        if (message.Length < Size || message[3] > (byte)EnvelopeKind.Batch)
        {
            return EnvelopeRead.NotAnEnvelope;
        }

        var kind = (EnvelopeKind)message[3];
        int count = BinaryPrimitives.ReadInt32LittleEndian(message[4..]);
        if (kind != EnvelopeKind.Batch && count != 0)
        {
            return EnvelopeRead.NotAnEnvelope; // only a batch has a count: these bytes are not one a bridge wrote
        }

        envelope = new Envelope(kind, BinaryPrimitives.ReadUInt64LittleEndian(message[8..]), BinaryPrimitives.ReadInt64LittleEndian(message[16..]), count);
        return EnvelopeRead.Read;
    }
}

/// <summary>What a bridge message is, by its <see cref="Envelope"/>.</summary>
internal enum EnvelopeKind : byte
{
    /// <summary>A record of the channel.</summary>
    Record = 0,

    /// <summary>The end of the stream: the outbound bridge's local channel was completed.</summary>
    End = 1,

    /// <summary>Records that were waiting together, <see cref="Envelope.Count"/> of them, the first with the envelope's sequence number.</summary>
    Batch = 2,
}

/// <summary>The outcome of <see cref="Envelope.TryRead"/>.</summary>
internal enum EnvelopeRead
{
    Read,
    NotAnEnvelope,
    OtherVersion,
}
