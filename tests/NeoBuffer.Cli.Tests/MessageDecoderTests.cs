using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;
using NeoBuffer.Cli.Decoding;
using NeoBuffer.TestHost.Messages;

namespace NeoBuffer.Cli.Tests;

/// <summary>
/// The decoder on records a peer could write: shorter than the fixed block (a writer of an older schema), with a
/// descriptor outside the record, and with field attributes a later writer adds. Nothing is read outside the record.
/// </summary>
public sealed class MessageDecoderTests
{
    private static readonly MessageDecoder Decoder = MessageDecoder.For("test", VideoFrame.Layout.SchemaText)!;

    [Fact]
    public void A_record_shorter_than_the_fixed_block_decodes_the_fields_that_fit_and_marks_the_rest_absent()
    {
        byte[] record = new byte[18]; // Sequence, Width, Height, Format, KeyFrame; Origin at 20 does not fit
        BinaryPrimitives.WriteInt64LittleEndian(record, 42);
        BinaryPrimitives.WriteInt32LittleEndian(record.AsSpan(8), 7);
        record[16] = 2;
        record[17] = 1;

        Dictionary<string, DecodedValue> fields = Decoder.Decode(record).ToDictionary(f => f.Name);

        Assert.Equal(42, fields["Sequence"].Number);
        Assert.Equal(7, fields["Width"].Number);
        Assert.Equal(2, fields["Format"].Number);
        Assert.Equal("NeoBuffer.TestHost.Messages.PixelFormat", fields["Format"].EnumType);
        Assert.Equal(DecodedKind.Boolean, fields["KeyFrame"].Kind);
        Assert.Equal(1, fields["KeyFrame"].Number);
        Assert.Equal(DecodedKind.Absent, fields["Origin"].Kind);
        Assert.Equal(DecodedKind.Absent, fields["CameraName"].Kind);
        Assert.Equal(DecodedKind.Absent, fields["Corners"].Kind);
        Assert.Contains("Origin=(absent)", DecodedRendering.Text(fields.Values));
    }

    [Fact]
    public void A_descriptor_outside_the_record_is_shown_invalid_and_its_neighbours_still_decode()
    {
        byte[] record = new byte[VideoFrame.Layout.FixedSize + 8];
        "abcd"u8.CopyTo(record.AsSpan(VideoFrame.Layout.FixedSize));
        WriteDescriptor(record, 28, (uint)VideoFrame.Layout.FixedSize, 4);       // CameraName: "abcd", in the tail
        WriteDescriptor(record, 36, (uint)VideoFrame.Layout.FixedSize, 1 << 30); // Pixels: a gigabyte past the end
        WriteDescriptor(record, 44, 4, 8);                                       // Corners: inside the fixed block

        Dictionary<string, DecodedValue> fields = Decoder.Decode(record).ToDictionary(f => f.Name);

        Assert.Equal("abcd", fields["CameraName"].Text);
        Assert.Equal(DecodedKind.Invalid, fields["Pixels"].Kind);
        Assert.Contains("outside the record", fields["Pixels"].Text);
        Assert.Equal(DecodedKind.Invalid, fields["Corners"].Kind);
    }

    [Fact]
    public void Attributes_a_later_writer_adds_to_field_lines_are_kept_and_do_not_stop_the_decoding()
    {
        string text = VideoFrame.Layout.SchemaText.Replace("type=int32\n", "type=int32 since=2 unit=px\n");
        MessageDecoder decoder = MessageDecoder.For("test", text)!;
        byte[] record = new byte[VideoFrame.Layout.FixedSize];
        BinaryPrimitives.WriteInt32LittleEndian(record.AsSpan(8), 1920);

        Assert.Equal(1920, decoder.Decode(record).Single(f => f.Name == "Width").Number);
        Assert.Throws<SchemaTextException>(() => MessageDecoder.For("test", "neobuffer-schema 1\nmessage X size=4 align=4\nfield A scalar offset=2 size=4 type=int32\n"));
    }

    private static void WriteDescriptor(byte[] record, int at, uint offset, uint length)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(at), offset);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(at + 4), length);
    }
}
