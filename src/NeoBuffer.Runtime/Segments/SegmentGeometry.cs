using NeoBuffer.Format;

namespace NeoBuffer.Segments;

/// <summary>
/// The shape of a segment as this process validated it once: every size and offset later used to build a pointer comes
/// from here, never again from shared memory, so a peer that rewrites the header cannot steer our reads.
/// </summary>
internal sealed record SegmentGeometry(
    ChannelTopology Topology,
    long Capacity,
    int MaxPayloadSize,
    int HeaderSize,
    int ParticipantTableOffset,
    int ParticipantRows,
    ulong Fingerprint,
    string SchemaText)
{
    public const int PageSize = 4096;
    public const int MaxHeaderSize = 1 << 20;
    public const int MaxSchemaBytes = 64 * 1024;
    public const int MaxParticipantRows = 1024;

    public long DataOffset => HeaderSize;

    /// <summary>The bytes of this ring's image: its header and its ring (a duplex file holds two images).</summary>
    public long FileLength => HeaderSize + Capacity;

    /// <summary>The header's flags (<see cref="ChannelHeader.FlagKeep"/>, and the duplex bits).</summary>
    public uint Flags { get; init; }

    /// <summary>The first ring of a duplex channel: the second ring's image, this many bytes, follows it in the file.</summary>
    public long PairedImageLength { get; init; }

    /// <summary>Whether this is the first ring of a duplex channel.</summary>
    public bool IsDuplex => (Flags & ChannelHeader.FlagDuplex) != 0;

    /// <summary>Whether this is the second ring of a duplex channel (never opened on its own).</summary>
    public bool IsDuplexSecond => (Flags & ChannelHeader.FlagDuplexSecond) != 0;

    /// <summary>Lays out a new segment: fixed header, participant table, schema text, rounded up to whole pages.</summary>
    public static SegmentGeometry ForNew(ChannelTopology topology, long capacity, int maxPayloadSize, int participantRows, ulong fingerprint, string schemaText)
    {
        int schemaBytes = System.Text.Encoding.UTF8.GetByteCount(schemaText);
        int tableOffset = ChannelHeader.Size;
        long end = tableOffset + (long)participantRows * ParticipantRow.Size + schemaBytes;
        int headerSize = (int)((end + PageSize - 1) / PageSize * PageSize);
        return new SegmentGeometry(topology, capacity, maxPayloadSize, headerSize, tableOffset, participantRows, fingerprint, schemaText);
    }

    public int SchemaOffset => ParticipantTableOffset + ParticipantRows * ParticipantRow.Size;
}
