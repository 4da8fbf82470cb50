using System;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;
using NeoBuffer.Generators.Tests.Messages;

namespace NeoBuffer.Generators.Tests;

/// <summary>Messages generated into this assembly: their layout agrees with the CLR, and what a builder writes a view reads.</summary>
public sealed class GeneratedMessageTests
{
    [Fact]
    public void Generated_layouts_pass_the_CLR_check_and_match_the_struct_sizes()
    {
        // Layout's first use runs MessageLayoutCheck.Verify: offsets, size and fingerprint.
        Assert.Equal(Unsafe.SizeOf<Everything>(), Everything.Layout.FixedSize);
        Assert.Equal(Unsafe.SizeOf<Pair>(), Pair.Layout.FixedSize);
        Assert.Equal(Unsafe.SizeOf<Plain>(), Plain.Layout.FixedSize);
        Assert.Equal(16, Everything.Layout.Alignment);
        Assert.True(Everything.Layout.HasVariableFields);
        Assert.False(Plain.Layout.HasVariableFields);
        Assert.Equal(
            ["Flag", "Letter", "Ratio", "Money", "Id", "Big", "Bigger", "Level", "Code", "Triple", "Pair", "Last", "Blob", "Text", "Longs", "Pairs", "Wide"],
            Everything.Layout.Fields.Select(f => f.Name));
        Assert.Equal(FieldKind.FixedArray, Everything.Layout.Fields.Single(f => f.Name == "Triple").Kind);
        Assert.Equal("int32[3]", Everything.Layout.Fields.Single(f => f.Name == "Triple").ElementType);
    }

    [Fact]
    public void A_layout_that_differs_from_the_CLR_is_refused_with_the_field_named()
    {
        MessageLayout truth = Plain.Layout;
        var wrong = new MessageLayout(truth.Name, truth.FixedSize, truth.Alignment, truth.Fields, truth.SchemaText);
        var error = Assert.Throws<InvalidOperationException>(() => MessageLayoutCheck.Verify(wrong, truth.Fingerprint, Unsafe.SizeOf<Plain>(), [0, 4, 12]));
        Assert.Contains("field C: generator offset 8, CLR 12", error.Message);

        error = Assert.Throws<InvalidOperationException>(() => MessageLayoutCheck.Verify(wrong, truth.Fingerprint ^ 1, Unsafe.SizeOf<Plain>(), [0, 4, 8]));
        Assert.Contains("fingerprint", error.Message);
    }

    [Fact]
    public void What_a_builder_writes_a_view_reads_back()
    {
        byte[] text = Encoding.UTF8.GetBytes("Grüße, 世界 🌍");
        int length = Everything.Builder.LengthFor(blobLength: 3, textLength: text.Length, longsCount: 2, pairsCount: 1, wideCount: 1);
        byte[] record = new byte[length + 5];
        record.AsSpan().Fill(0xCC); // the builder must not depend on the memory being clear
        var builder = new Everything.Builder(record.AsSpan(0, length), 3, text.Length, 2, 1, 1);
        builder.Flag = true;
        builder.Letter = 'Ж';
        builder.Ratio = (Half)1.5;
        builder.Money = 12.34m;
        builder.Id = new Guid("01234567-89ab-cdef-0123-456789abcdef");
        builder.Big = Int128.MinValue;
        builder.Bigger = UInt128.MaxValue;
        builder.Level = Level.Low;
        "hello"u8.CopyTo(builder.Code);
        builder.Triple[2] = 42;
        builder.Pair = new Pair { Tag = 9, Value = -9 };
        builder.Last = Math.PI;
        builder.Blob.Fill(7);
        text.CopyTo(builder.TextUtf8);
        builder.Longs[0] = long.MaxValue;
        builder.Longs[1] = long.MinValue;
        builder.Pairs[0] = new Pair { Tag = 1, Value = 2 };
        builder.Wide[0] = Int128.MaxValue;

        var view = new Everything.View(record.AsSpan(0, length));
        Assert.True(view.Flag);
        Assert.Equal('Ж', view.Letter);
        Assert.Equal((Half)1.5, view.Ratio);
        Assert.Equal(12.34m, view.Money);
        Assert.Equal(new Guid("01234567-89ab-cdef-0123-456789abcdef"), view.Id);
        Assert.Equal(Int128.MinValue, view.Big);
        Assert.Equal(UInt128.MaxValue, view.Bigger);
        Assert.Equal(Level.Low, view.Level);
        Assert.Equal("hello"u8.ToArray(), view.Code.ToArray());
        Assert.Equal([0, 0, 42], view.Triple.ToArray());
        Assert.Equal(9, view.Pair.Tag);
        Assert.Equal(-9, view.Pair.Value);
        Assert.Equal(Math.PI, view.Last);
        Assert.Equal([7, 7, 7], view.Blob.ToArray());
        Assert.Equal("Grüße, 世界 🌍", view.Text);
        Assert.Equal(text, view.TextUtf8.ToArray());
        Assert.Equal([long.MaxValue, long.MinValue], view.Longs.ToArray());
        Assert.Equal(2, view.Pairs[0].Value);
        Assert.Equal(Int128.MaxValue, view.Wide[0]);

        // The same bytes read as the struct itself: the layout the CLR uses is the one the view read.
        Everything whole = Unsafe.ReadUnaligned<Everything>(ref record[0]);
        Assert.Equal(Math.PI, whole.Last);
        Assert.Equal(42, whole.Triple[2]);
        Assert.Equal(0xCC, record[length]);
    }

    [Fact]
    public void Var_regions_start_8_byte_aligned_or_at_their_element_alignment()
    {
        int length = Everything.Builder.LengthFor(1, 1, 1, 1, 1);
        var builder = new Everything.Builder(new byte[length], 1, 1, 1, 1, 1);
        var view = new Everything.View(builder.Record);
        int fixedSize = Everything.Layout.FixedSize;
        Assert.Equal(fixedSize, Offset(builder.Record, view.Blob));
        Assert.Equal(fixedSize + 8, Offset(builder.Record, view.TextUtf8));
        Assert.Equal(fixedSize + 16, Offset(builder.Record, System.Runtime.InteropServices.MemoryMarshal.AsBytes(view.Longs)));
        Assert.Equal(0, Offset(builder.Record, System.Runtime.InteropServices.MemoryMarshal.AsBytes(view.Wide)) % 16);
    }

    [Fact]
    public void Sizes_that_are_negative_or_exceed_2_GiB_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Everything.Builder.LengthFor(-1, 0, 0, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Everything.Builder.LengthFor(0, 0, int.MaxValue, 0, 0));
        Assert.Throws<ArgumentException>(() => new Everything.Builder(new byte[10], 0, 0, 0, 0, 0));
    }

    [Fact]
    public void A_builder_over_plain_memory_cannot_be_committed()
    {
        var builder = new Plain.Builder(new byte[Plain.Builder.LengthFor()]);
        try
        {
            builder.Commit();
            Assert.Fail("Commit of an unclaimed builder must throw.");
        }
        catch (InvalidOperationException)
        {
        }
    }

    private static int Offset(ReadOnlySpan<byte> record, ReadOnlySpan<byte> part) =>
        (int)Unsafe.ByteOffset(ref Unsafe.AsRef(in record[0]), ref Unsafe.AsRef(in part[0]));
}
