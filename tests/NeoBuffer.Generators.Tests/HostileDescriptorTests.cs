using System;
using NeoBuffer.Generators.Tests.Messages;

namespace NeoBuffer.Generators.Tests;

/// <summary>
/// A peer may write anything into a record. Views check every descriptor against the record before making a span:
/// a bad one gives a clear <see cref="MessageFormatException"/> naming the field, and never a read outside the record.
/// </summary>
public sealed class HostileDescriptorTests
{
    private static readonly int FixedSize = Everything.Layout.FixedSize;
    private static readonly int LongsDescriptor = Everything.Layout.Fields[14].Offset;
    private static readonly int BlobDescriptor = Everything.Layout.Fields[12].Offset;

    // The record Record() builds: its exact length lets the cases below sit one byte either side of each bound.
    private static readonly int RecordLength = Everything.Builder.LengthFor(3, 3, 2, 1, 1);

    public static TheoryData<string, uint, uint> BadBlobs => new()
    {
        // One byte past each bound: an off-by-one in MessageBounds.Slice fails these and nothing else.
        { "one byte past the end of the record", (uint)RecordLength - 2, 3 },
        { "starting at the end of the record", (uint)RecordLength, 1 },
        { "one byte into the fixed block", (uint)FixedSize - 1, 2 },
        { "past the end", (uint)FixedSize, 1000 },
        { "starting past the end", 100_000, 1 },
        { "inside the fixed block", 0, 8 },
        { "overflowing 32 bits", 0xFFFF_FFF0, 0x20 },
        { "overflowing with maximum values", uint.MaxValue, uint.MaxValue },
    };

    [Theory]
    [MemberData(nameof(BadBlobs))]
    public void A_descriptor_outside_the_tail_is_refused(string why, uint offset, uint length)
    {
        byte[] memory = Record(out int recordLength);
        MessageBytes.Write(memory, BlobDescriptor, new VarFieldDescriptor(offset, length));

        // The record is a slice of larger memory: an unchecked span would read the bytes after it without faulting.
        var error = Assert.Throws<MessageFormatException>(() => new Everything.View(memory.AsSpan(0, recordLength)).Blob.Length);
        Assert.Contains("'Blob'", error.Message);
        Assert.True(why.Length > 0);
    }

    [Theory]
    [InlineData(4u, 8u)] // offset not a multiple of the element alignment
    [InlineData(0u, 12u)] // length not a multiple of the element size
    public void A_misaligned_array_descriptor_is_refused(uint offsetDelta, uint length)
    {
        byte[] memory = Record(out int recordLength);
        MessageBytes.Write(memory, LongsDescriptor, new VarFieldDescriptor((uint)FixedSize + offsetDelta, length));
        var error = Assert.Throws<MessageFormatException>(() => new Everything.View(memory.AsSpan(0, recordLength)).Longs.Length);
        Assert.Contains("'Longs'", error.Message);
    }

    [Fact]
    public void A_record_shorter_than_the_fixed_block_is_refused()
    {
        byte[] memory = new byte[FixedSize * 2];
        var error = Assert.Throws<MessageFormatException>(() => new Everything.View(memory.AsSpan(0, FixedSize - 1)));
        Assert.Contains("fixed block", error.Message);
    }

    [Fact]
    public void An_empty_descriptor_reads_as_empty_wherever_it_points()
    {
        byte[] memory = Record(out int recordLength);
        MessageBytes.Write(memory, BlobDescriptor, new VarFieldDescriptor(uint.MaxValue, 0));
        Assert.Equal(0, new Everything.View(memory.AsSpan(0, recordLength)).Blob.Length);
    }

    [Fact]
    public void A_descriptor_exactly_at_the_end_of_the_record_is_accepted()
    {
        byte[] memory = Record(out int recordLength);
        MessageBytes.Write(memory, BlobDescriptor, new VarFieldDescriptor((uint)recordLength - 3, 3));
        Assert.Equal(3, new Everything.View(memory.AsSpan(0, recordLength)).Blob.Length);
    }

    [Fact]
    public void A_bool_byte_other_than_one_reads_as_true()
    {
        byte[] memory = Record(out int recordLength);
        memory[Everything.Layout.Fields[0].Offset] = 0x80;
        Assert.True(new Everything.View(memory.AsSpan(0, recordLength)).Flag);
    }

    [Fact]
    public void A_descriptor_starting_right_after_the_fixed_block_is_accepted()
    {
        byte[] memory = Record(out int recordLength);
        MessageBytes.Write(memory, BlobDescriptor, new VarFieldDescriptor((uint)FixedSize, 1));
        Assert.Equal(1, new Everything.View(memory.AsSpan(0, recordLength)).Blob.Length);
    }

    // A valid record with a few bytes in each var field, followed by bytes that are not part of it.
    private static byte[] Record(out int length)
    {
        length = RecordLength;
        byte[] memory = new byte[length + 4096];
        _ = new Everything.Builder(memory.AsSpan(0, length), 3, 3, 2, 1, 1);
        return memory;
    }
}
