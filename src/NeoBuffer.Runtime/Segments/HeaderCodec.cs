using System;
using System.Runtime.InteropServices;
using System.Text;
using NeoBuffer.Format;

namespace NeoBuffer.Segments;

/// <summary>Writes a new segment's header, and validates an existing one before anything is mapped.</summary>
internal static unsafe class HeaderCodec
{
    /// <summary>
    /// Fills the identity block and schema of a freshly created (zeroed) ring image at <paramref name="segment"/>
    /// (<paramref name="flags"/> added to the geometry's own). InitState is left to the caller.
    /// </summary>
    public static void Write(byte* segment, SegmentGeometry geometry, uint flags)
    {
        var header = (ChannelHeader*)segment;
        header->Magic = ChannelHeader.MagicValue;
        header->FormatVersion = ChannelHeader.CurrentFormatVersion;
        header->EndianMarker = ChannelHeader.EndianMarkerValue;
        header->HeaderSize = (uint)geometry.HeaderSize;
        header->Topology = (uint)geometry.Topology;
        header->Capacity = (ulong)geometry.Capacity;
        header->MaxPayloadSize = (uint)geometry.MaxPayloadSize;
        header->ParticipantRows = (uint)geometry.ParticipantRows;
        header->Fingerprint = geometry.Fingerprint;
        header->ParticipantTableOffset = (uint)geometry.ParticipantTableOffset;
        header->ParticipantRowSize = ParticipantRow.Size;
        header->DataOffset = (ulong)geometry.DataOffset;
        header->Flags = flags | geometry.Flags;
        header->PairedImageLength = (ulong)geometry.PairedImageLength;
        header->CreatorPid = Interop.ProcessIdentity.Current.Pid;
        header->CreatorStartTime = Interop.ProcessIdentity.Current.StartTime;
        header->CreatedUnixTimeMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        var schema = new Span<byte>(segment + geometry.SchemaOffset, geometry.HeaderSize - geometry.SchemaOffset);
        int schemaLength = Encoding.UTF8.GetBytes(geometry.SchemaText, schema);
        header->SchemaOffset = (uint)geometry.SchemaOffset;
        header->SchemaLength = (uint)schemaLength;
        header->IdentityChecksum = Checksum(new ReadOnlySpan<byte>(segment, ChannelHeader.ChecksummedBytes), schema.Slice(0, schemaLength));
    }

    /// <summary>
    /// Checks a header read from a file of <paramref name="fileLength"/> bytes and returns its geometry, or throws
    /// <see cref="ChannelFormatException"/> saying what is wrong. <paramref name="prefix"/> holds the file's first bytes
    /// (up to <see cref="SegmentGeometry.MaxHeaderSize"/>).
    /// </summary>
    public static SegmentGeometry Validate(ReadOnlySpan<byte> prefix, long fileLength, string path)
    {
        if (prefix.Length < ChannelHeader.Size)
        {
            throw Bad(path, $"it is {fileLength} bytes long, shorter than a channel header ({ChannelHeader.Size} bytes): it is truncated or not a channel");
        }

        ChannelHeader header = MemoryMarshal.Read<ChannelHeader>(prefix);
        if (header.Magic != ChannelHeader.MagicValue)
        {
            throw Bad(path, "it does not start with the NeoBuffer magic number: it is not a NeoBuffer channel");
        }

        if (header.EndianMarker != ChannelHeader.EndianMarkerValue)
        {
            throw Bad(path, $"its byte-order marker is 0x{header.EndianMarker:X8}, not 0x{ChannelHeader.EndianMarkerValue:X8}: it was written with another byte order or is corrupted");
        }

        if (header.FormatVersion != ChannelHeader.CurrentFormatVersion)
        {
            throw Bad(path, $"it has format version {header.FormatVersion}; this NeoBuffer reads version {ChannelHeader.CurrentFormatVersion}. Use the same NeoBuffer version on both sides");
        }

        ulong capacity = header.Capacity;
        if (capacity < 4096 || capacity > (1UL << 34) || (capacity & (capacity - 1)) != 0)
        {
            throw Bad(path, $"its header gives a ring capacity of {capacity} bytes, which is not a power of two from 4096 to 16 GiB");
        }

        uint headerSize = header.HeaderSize;
        if (headerSize < ChannelHeader.Size || headerSize > SegmentGeometry.MaxHeaderSize || headerSize % SegmentGeometry.PageSize != 0 || header.DataOffset != headerSize)
        {
            throw Bad(path, $"its header size ({headerSize}) or data offset ({header.DataOffset}) is impossible");
        }

        // A duplex file holds a second ring's image after the first; its header checks its own part the same way.
        const uint duplexBits = ChannelHeader.FlagDuplex | ChannelHeader.FlagDuplexSecond;
        ulong paired = header.PairedImageLength;
        if ((header.Flags & duplexBits) == duplexBits || ((header.Flags & ChannelHeader.FlagDuplex) != 0) != (paired != 0) ||
            paired % SegmentGeometry.PageSize != 0 || paired > (1UL << 35))
        {
            throw Bad(path, $"its duplex flags (0x{header.Flags:X}) and second ring's length ({paired}) do not agree");
        }

        if ((ulong)fileLength != headerSize + capacity + paired)
        {
            throw Bad(path, $"it is {fileLength} bytes long but its header describes {headerSize + capacity + paired} bytes: it is truncated or corrupted");
        }

        if (!Enum.IsDefined((ChannelTopology)header.Topology))
        {
            throw Bad(path, $"its topology code {header.Topology} is unknown");
        }

        if (header.MaxPayloadSize == 0 || header.MaxPayloadSize > (uint)SharedChannelOptions.LargestMessageFor((long)capacity))
        {
            throw Bad(path, $"its maximum message size ({header.MaxPayloadSize}) does not fit its ring of {capacity} bytes");
        }

        uint rows = header.ParticipantRows;
        uint tableOffset = header.ParticipantTableOffset;
        if (rows is 0 or > SegmentGeometry.MaxParticipantRows || header.ParticipantRowSize != ParticipantRow.Size || tableOffset != ChannelHeader.Size)
        {
            throw Bad(path, "its participant table is malformed");
        }

        ulong schemaEnd = (ulong)header.SchemaOffset + header.SchemaLength;
        if (header.SchemaOffset != tableOffset + rows * ParticipantRow.Size || header.SchemaLength > SegmentGeometry.MaxSchemaBytes ||
            schemaEnd > headerSize || schemaEnd > (ulong)prefix.Length)
        {
            throw Bad(path, "its schema text lies outside its header");
        }

        ReadOnlySpan<byte> schema = prefix.Slice((int)header.SchemaOffset, (int)header.SchemaLength);
        if (Checksum(prefix.Slice(0, ChannelHeader.ChecksummedBytes), schema) != header.IdentityChecksum)
        {
            throw Bad(path, "its header checksum does not match: the header was corrupted after creation");
        }

        string schemaText;
        try
        {
            schemaText = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(schema);
        }
        catch (DecoderFallbackException)
        {
            throw Bad(path, "its schema text is not valid UTF-8");
        }

        return new SegmentGeometry((ChannelTopology)header.Topology, (long)capacity, (int)header.MaxPayloadSize, (int)headerSize,
            (int)tableOffset, (int)rows, header.Fingerprint, schemaText)
        {
            Flags = header.Flags,
            PairedImageLength = (long)paired,
        };
    }

    private static ulong Checksum(ReadOnlySpan<byte> identity, ReadOnlySpan<byte> schema) =>
        SchemaFingerprint.Hash(schema, SchemaFingerprint.Hash(identity, SchemaFingerprint.OffsetBasis));

    private static ChannelFormatException Bad(string path, string why) => new($"'{path}' cannot be opened as a channel: {why}.");
}
