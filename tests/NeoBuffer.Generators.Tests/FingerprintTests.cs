using System.Linq;
using Microsoft.CodeAnalysis.CSharp;
using NeoBuffer.Generators.Model;

namespace NeoBuffer.Generators.Tests;

/// <summary>The fingerprint follows the schema: same schema, same fingerprint; any change of a field, another one.</summary>
public sealed class FingerprintTests
{
    private const string Original = "[ChannelMessage(Name = \"orders\")] public partial struct Order { public long Id; public int Qty; public VarUtf8 Note; }";

    [Theory]
    [InlineData("[ChannelMessage(Name = \"orders\")] public partial struct Order { public long Id; public int Quantity; public VarUtf8 Note; }")] // name
    [InlineData("[ChannelMessage(Name = \"orders\")] public partial struct Order { public long Id; public uint Qty; public VarUtf8 Note; }")] // type, same size
    [InlineData("[ChannelMessage(Name = \"orders\")] public partial struct Order { public long Id; public long Qty; public VarUtf8 Note; }")] // size
    [InlineData("[ChannelMessage(Name = \"orders\")] public partial struct Order { public int Qty; public long Id; public VarUtf8 Note; }")] // order
    [InlineData("[ChannelMessage(Name = \"orders\")] public partial struct Order { public long Id; public int Qty; public VarBytes Note; }")] // kind
    [InlineData("[ChannelMessage(Name = \"orders.v2\")] public partial struct Order { public long Id; public int Qty; public VarUtf8 Note; }")] // schema name
    public void Any_change_of_the_schema_changes_the_fingerprint(string changed)
    {
        Assert.NotEqual(Fingerprint(Original, "Order"), Fingerprint(changed, "Order"));
    }

    [Fact]
    public void Equal_schemas_under_one_name_share_the_fingerprint_whatever_the_type_is_called()
    {
        string renamed = "namespace Elsewhere { [ChannelMessage(Name = \"orders\")] public partial struct Renamed { public long Id; public int Qty; public VarUtf8 Note; } }";
        Assert.Equal(Fingerprint(Original, "Order"), Fingerprint(renamed, "Elsewhere.Renamed"));
    }

    [Fact]
    public void The_fingerprint_is_fixed_across_builds_and_machines()
    {
        // A literal, not a recomputation: if this changes, every channel created by an older build is refused.
        Assert.Equal(0x752ec167493525ceUL, Fingerprint(Original, "Order"));
    }

    [Fact]
    public void Nested_message_fields_are_part_of_the_outer_schema()
    {
        string a = "[ChannelMessage] public partial struct P { public int X; } [ChannelMessage] public partial struct M { public P P; }";
        string b = "[ChannelMessage] public partial struct P { public uint X; } [ChannelMessage] public partial struct M { public P P; }";
        Assert.NotEqual(Fingerprint(a, "M"), Fingerprint(b, "M"));
    }

    private static ulong Fingerprint(string declarations, string type)
    {
        CSharpCompilation compilation = GeneratorHarness.Compilation("using NeoBuffer;\n" + declarations);
        MessageModel model = MessageModelFactory.Create(compilation.GetTypeByMetadataName(type)!, default)!;
        return SchemaFingerprint.Compute(model.SchemaText);
    }
}
