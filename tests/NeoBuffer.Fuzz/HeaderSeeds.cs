using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using NeoBuffer.Format;
using NeoBuffer.Segments;

namespace NeoBuffer.Fuzz;

/// <summary>
/// Segment headers written by the runtime's own <see cref="HeaderCodec.Write"/>, with the creator's pid, start time and
/// creation time replaced by constants (and the checksum recomputed) so the files are the same on every run; then
/// edge cases made from them.
/// </summary>
internal static unsafe class HeaderSeeds
{
    private const int CreatedUnixTimeMsOffset = 0x58;

    public static IEnumerable<(string Name, byte[] Bytes)> All()
    {
        byte[] spsc = Valid(ChannelTopology.SingleProducerSingleConsumer, 4096, 1904, 2, 0, string.Empty);
        yield return ("header-spsc-raw", spsc);
        yield return ("header-mpsc-raw", Valid(ChannelTopology.MultiProducerSingleConsumer, 1 << 16, 1000, 9, 0, string.Empty));
        yield return ("header-broadcast-typed", Valid(ChannelTopology.Broadcast, 1 << 20, 4096, 17, FuzzMessage.Layout.Fingerprint, FuzzMessage.Layout.SchemaText));
        yield return ("header-largest-ring", Valid(ChannelTopology.SingleProducerSingleConsumer, 1L << 34, 64, 2, 0, string.Empty));
        yield return ("header-smallest-payload", Valid(ChannelTopology.SingleProducerSingleConsumer, 4096, 1, 2, 0, string.Empty));
        yield return ("header-truncated", spsc.AsSpan(0, 100).ToArray());
        yield return ("header-bad-magic", With(spsc, b => b[0] ^= 0xFF));
        // CreatedUnixTimeMs: a field only the checksum covers. A field some earlier check also reads (the payload
        // limit, the sizes) would be rejected before the checksum is ever compared, and the seed would test nothing.
        yield return ("header-bad-checksum", With(spsc, b => b[CreatedUnixTimeMsOffset] ^= 1));
        yield return ("header-bad-version", With(spsc, b => b[0x08] = (byte)(ChannelHeader.CurrentFormatVersion - 1)));
        yield return ("header-file-too-long", With(spsc, b => b[^1] = 0x11));
        yield return ("header-schema-outside", With(spsc, b => MemoryMarshal.Write(b.AsSpan(0x34), uint.MaxValue)));
    }

    /// <summary>A header as the runtime writes it, cut after its schema text; the last byte kept even (see <see cref="HeaderStage.FileLengthFor"/>).</summary>
    private static byte[] Valid(ChannelTopology topology, long capacity, int maxPayload, int rows, ulong fingerprint, string schema)
    {
        SegmentGeometry geometry = SegmentGeometry.ForNew(topology, capacity, maxPayload, rows, fingerprint, schema);
        byte[] bytes = new byte[geometry.HeaderSize];
        fixed (byte* segment = bytes)
        {
            HeaderCodec.Write(segment, geometry, 0);
            var header = (ChannelHeader*)segment;
            header->CreatorPid = 4242;
            header->CreatorStartTime = 123456789;
            header->CreatedUnixTimeMs = 1_700_000_000_000;
            ReadOnlySpan<byte> text = bytes.AsSpan(geometry.SchemaOffset, (int)header->SchemaLength);
            header->IdentityChecksum = SchemaFingerprint.Hash(text, SchemaFingerprint.Hash(bytes.AsSpan(0, ChannelHeader.ChecksummedBytes), SchemaFingerprint.OffsetBasis));
            int end = geometry.SchemaOffset + (int)header->SchemaLength;
            return bytes.AsSpan(0, end + ((bytes[end - 1] & 1) == 0 ? 0 : 1)).ToArray();
        }
    }

    private static byte[] With(byte[] source, Action<byte[]> change)
    {
        byte[] copy = (byte[])source.Clone();
        change(copy);
        return copy;
    }
}
