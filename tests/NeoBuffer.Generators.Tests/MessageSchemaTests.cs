using System;
using System.Linq;
using NeoBuffer.Generators.Tests.Messages;

namespace NeoBuffer.Generators.Tests;

/// <summary>The schema text the generator writes parses back into the layout it describes; damaged texts are refused with the line named.</summary>
public sealed class MessageSchemaTests
{
    public static TheoryData<string> Layouts => new() { nameof(Everything), nameof(Pair), nameof(Plain), nameof(PlainRenamed) };

    private static MessageLayout LayoutOf(string name) => name switch
    {
        nameof(Everything) => Everything.Layout,
        nameof(Pair) => Pair.Layout,
        nameof(Plain) => Plain.Layout,
        _ => PlainRenamed.Layout,
    };

    [Theory]
    [MemberData(nameof(Layouts))]
    public void A_generated_schema_text_parses_to_its_layout(string name)
    {
        MessageLayout layout = LayoutOf(name);
        MessageSchema schema = MessageSchema.Parse(layout.SchemaText);

        Assert.Equal(layout.Name, schema.Name);
        Assert.Equal(layout.FixedSize, schema.FixedSize);
        Assert.Equal(layout.Alignment, schema.Alignment);
        Assert.Equal(
            layout.Fields.Select(f => (f.Name, f.Kind, f.Offset, f.Size, f.ElementType)),
            schema.Fields.Select(f => (f.Name, f.Kind, f.Offset, f.Size, f.Type)));
    }

    [Fact]
    public void Nested_struct_and_array_element_members_hang_under_their_field()
    {
        MessageSchema schema = MessageSchema.Parse(Everything.Layout.SchemaText);

        SchemaField pairs = schema.Fields.Single(f => f.Name == "Pairs");
        Assert.Equal(FieldKind.VarArray, pairs.Kind);
        Assert.Equal(0, pairs.Count);
        Assert.NotEmpty(pairs.Members);
        Assert.All(pairs.Members, m => Assert.StartsWith("Pairs[].", m.Path));

        SchemaField triple = schema.Fields.Single(f => f.Name == "Triple");
        Assert.Equal(("int32", 3), (triple.ElementType, triple.Count));

        SchemaField level = schema.Fields.Single(f => f.Kind == FieldKind.Enum);
        Assert.NotNull(level.EnumUnderlying);
        Assert.Equal(level.Size, MessageSchema.ScalarSize(level.EnumUnderlying!));
    }

    [Theory]
    [InlineData("", "must start with")]
    [InlineData("neobuffer-schema 2\nmessage M size=4 align=4\n", "must start with")]
    [InlineData("neobuffer-schema 1\nmessage M size=-4 align=4\n", "line 2")]
    [InlineData("neobuffer-schema 1\nmessage M size=4 align=4\nfield A scalar offset=2 size=4 type=int32\n", "outside")]
    [InlineData("neobuffer-schema 1\nmessage M size=4 align=4\nfield A scalar offset=0 size=2 type=int32\n", "that type is 4 bytes")]
    [InlineData("neobuffer-schema 1\nmessage M size=4 align=4\nfield A blob offset=0 size=4 type=int32\n", "unknown kind")]
    [InlineData("neobuffer-schema 1\nmessage M size=4 align=4\nfield A scalar offset=0 size=4 type=int33\n", "unknown scalar type")]
    [InlineData("neobuffer-schema 1\nmessage M size=8 align=4\nfield A.B scalar offset=0 size=4 type=int32\n", "line 3")]
    [InlineData("neobuffer-schema 1\nmessage M size=8 align=4\nfield A fixedarray offset=0 size=8 type=int32[3]\n", "does not divide")]
    [InlineData("neobuffer-schema 1\nmessage M size=8 align=4\nfield A varbytes offset=0 size=8 type=uint8\n", "expected <element>[]")]
    [InlineData("neobuffer-schema 1\nmessage M size=8 align=4\nfield A scalar offset=99999999999 size=4 type=int32\n", "offset=")]
    public void A_damaged_schema_text_is_refused_with_the_reason(string text, string reason)
    {
        Assert.False(MessageSchema.TryParse(text, out MessageSchema? schema, out string? error));
        Assert.Null(schema);
        Assert.Contains(reason, error);
        Assert.Contains(reason, Assert.Throws<FormatException>(() => MessageSchema.Parse(text)).Message);
    }

    [Fact]
    public void Attributes_a_later_version_adds_are_kept_not_refused()
    {
        MessageSchema schema = MessageSchema.Parse("neobuffer-schema 1\nmessage M size=8 align=4\nfield A scalar offset=0 size=4 type=int32 since=2\n");
        Assert.Equal("2", schema.Fields[0].Attributes["since"]);
    }
}
