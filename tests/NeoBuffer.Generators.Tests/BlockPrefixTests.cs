using System;
using NeoBuffer.TestHost.Messages;

namespace NeoBuffer.Generators.Tests;

/// <summary>
/// A versioned record's block prefix comes from a peer: a view trusts its length only within [first version's end,
/// record length], and a builder writes the length of its own version, not its padded size.
/// </summary>
public sealed class BlockPrefixTests
{
    [Fact]
    public void A_builder_writes_its_versions_block_length_and_version()
    {
        byte[] record = new byte[OrderV2.Builder.LengthFor(3, 2)];
        var order = new OrderV2.Builder(record, 3, 2);
        order.Venue = Venue.Xlon;

        // Venue ends at 22; the struct is 40 bytes. A version 1 record says 20, inside the same 24-byte padded size.
        Assert.Equal(40u, BitConverter.ToUInt32(record, 0));
        Assert.Equal(2u, BitConverter.ToUInt32(record, 4));
        byte[] older = new byte[OrderV1.Builder.LengthFor(3)];
        _ = new OrderV1.Builder(older, 3);
        Assert.Equal(20u, BitConverter.ToUInt32(older, 0));
        Assert.Equal(1u, BitConverter.ToUInt32(older, 4));
        Assert.False(new OrderV2.View(older).HasVenue);
        Assert.True(new OrderV2.View(record).HasVenue);
    }

    [Theory]
    [InlineData(19u)]          // below version 1's fields
    [InlineData(1000u)]        // beyond the record
    [InlineData(uint.MaxValue)]
    public void A_hostile_block_length_is_a_format_error(uint block)
    {
        byte[] record = new byte[OrderV2.Builder.LengthFor(3, 2)];
        _ = new OrderV2.Builder(record, 3, 2);
        BitConverter.TryWriteBytes(record.AsSpan(0, 4), block);

        Assert.Throws<MessageFormatException>(() => new OrderV2.View(record));
        Assert.Throws<MessageFormatException>(() => new OrderV1.View(record));
    }

    [Fact]
    public void A_record_shorter_than_the_prefix_is_a_format_error()
    {
        Assert.Throws<MessageFormatException>(() => new OrderV1.View(new byte[7]));
    }

    [Fact]
    public void A_descriptor_into_the_writers_fixed_block_is_refused_whatever_version_reads_it()
    {
        byte[] record = new byte[OrderV1.Builder.LengthFor(3)];
        _ = new OrderV1.Builder(record, 3);
        // Symbol's descriptor (at 12 in the message, 20 in the record) pointed at the Quantity field.
        BitConverter.TryWriteBytes(record.AsSpan(8 + 12, 4), 8u);

        Assert.Throws<MessageFormatException>(() => new OrderV2.View(record).SymbolUtf8.Length);
    }
}
