using System;
using System.Buffers.Binary;
using NeoBuffer.Segments;

namespace NeoBuffer.Fuzz;

/// <summary>
/// (a) The input as the first bytes of a segment file, through <see cref="HeaderCodec.Validate"/>. The file length is
/// the one the header itself describes (header size + capacity, as a well-formed file has), shifted by the input's
/// last byte when that is odd, so both the matching and the truncated/grown cases are reached.
/// </summary>
public static class HeaderStage
{
    private const string Path = "/fuzz/segment";

    /// <summary>Returns whether the header was accepted.</summary>
    public static bool Run(ReadOnlySpan<byte> input)
    {
        ReadOnlySpan<byte> prefix = input.Length > SegmentGeometry.MaxHeaderSize ? input.Slice(0, SegmentGeometry.MaxHeaderSize) : input;
        long fileLength = FileLengthFor(input);
        SegmentGeometry geometry;
        try
        {
            geometry = HeaderCodec.Validate(prefix, fileLength, Path);
        }
        catch (ChannelFormatException)
        {
            return false;
        }

        Check(geometry, prefix.Length, fileLength);
        return true;
    }

    /// <summary>
    /// Why <see cref="HeaderCodec.Validate"/> refuses the input, or null when it accepts it: lets a seed made to reach
    /// one check prove that it is that check, not an earlier one, that refuses it.
    /// </summary>
    public static string? Rejection(ReadOnlySpan<byte> input)
    {
        ReadOnlySpan<byte> prefix = input.Length > SegmentGeometry.MaxHeaderSize ? input.Slice(0, SegmentGeometry.MaxHeaderSize) : input;
        try
        {
            HeaderCodec.Validate(prefix, FileLengthFor(input), Path);
            return null;
        }
        catch (ChannelFormatException e)
        {
            return e.Message;
        }
    }

    public static long FileLengthFor(ReadOnlySpan<byte> input)
    {
        if (input.Length < 0x20)
        {
            return input.Length;
        }

        ulong described = unchecked(BinaryPrimitives.ReadUInt32LittleEndian(input.Slice(0x10)) + BinaryPrimitives.ReadUInt64LittleEndian(input.Slice(0x18)));
        long length = unchecked((long)described);
        byte last = input[^1];
        return (last & 1) == 0 ? length : unchecked(length + (sbyte)last);
    }

    /// <summary>What an accepted header promises every later address computation.</summary>
    private static void Check(SegmentGeometry geometry, int prefixLength, long fileLength)
    {
        long capacity = geometry.Capacity;
        bool ok = capacity >= 4096 && (capacity & (capacity - 1)) == 0 &&
                  geometry.HeaderSize >= Format.ChannelHeader.Size && geometry.HeaderSize % SegmentGeometry.PageSize == 0 &&
                  geometry.FileLength + geometry.PairedImageLength == fileLength &&
                  geometry.MaxPayloadSize > 0 && RingFits(geometry) &&
                  geometry.ParticipantRows is > 0 and <= SegmentGeometry.MaxParticipantRows &&
                  geometry.SchemaOffset + (long)System.Text.Encoding.UTF8.GetByteCount(geometry.SchemaText) <= Math.Min(prefixLength, geometry.HeaderSize);
        if (!ok)
        {
            throw new FuzzFindingException($"HeaderCodec.Validate accepted an impossible geometry: {geometry} for a {fileLength}-byte file");
        }
    }

    private static bool RingFits(SegmentGeometry geometry) =>
        Format.RecordFraming.WorstCaseFootprint(geometry.MaxPayloadSize, Format.RecordFraming.SequencedFrame) <= geometry.Capacity;
}
