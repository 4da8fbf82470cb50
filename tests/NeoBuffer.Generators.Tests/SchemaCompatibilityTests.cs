using System;
using System.Collections.Generic;
using System.Linq;
using NeoBuffer.Generators.Model;
using NeoBuffer.Generators.Tests.Messages;
using NeoBuffer.Testing;
using NeoBuffer.TestHost.Messages;

namespace NeoBuffer.Generators.Tests;

/// <summary>
/// Which changes of a message let its old and new versions share a channel (MessageSchema.CheckCompatible, the rule a
/// typed channel applies when it opens), and that a refusal says why in words.
/// </summary>
public sealed class SchemaCompatibilityTests
{
    private const string V1 = "public enum Side : byte { Buy, Sell } [ChannelMessage(Name = \"quotes\", Version = 1)] public partial struct Quote { public long Id; public int Qty; public Side Side; public VarUtf8 Symbol; }";

    public static TheoryData<string, string> Allowed => new()
    {
        { "append fixed", "public enum Side : byte { Buy, Sell } [ChannelMessage(Name = \"quotes\", Version = 2)] public partial struct Quote { public long Id; public int Qty; public Side Side; public VarUtf8 Symbol; [Since(2)] public double Price; }" },
        { "append var", "public enum Side : byte { Buy, Sell } [ChannelMessage(Name = \"quotes\", Version = 2)] public partial struct Quote { public long Id; public int Qty; public Side Side; public VarUtf8 Symbol; [Since(2)] public VarBytes Note; }" },
        { "obsolete", "public enum Side : byte { Buy, Sell } [ChannelMessage(Name = \"quotes\", Version = 2)] public partial struct Quote { public long Id; [System.Obsolete] public int Qty; public Side Side; public VarUtf8 Symbol; }" },
        { "two versions on", "public enum Side : byte { Buy, Sell } [ChannelMessage(Name = \"quotes\", Version = 3)] public partial struct Quote { public long Id; public int Qty; public Side Side; public VarUtf8 Symbol; [Since(2)] public double Price; [Since(3)] public VarArray<int> Levels; }" },
    };

    public static TheoryData<string, string, string> Refused => new()
    {
        { "remove", "[ChannelMessage(Name = \"quotes\", Version = 2)] public partial struct Quote { public long Id; public int Qty; public VarUtf8 Symbol; }", "removed" },
        { "move", "public enum Side : byte { Buy, Sell } [ChannelMessage(Name = \"quotes\", Version = 2)] public partial struct Quote { public long Id; public Side Side; public int Qty; public VarUtf8 Symbol; }", "moved" },
        { "retype", "public enum Side : byte { Buy, Sell } [ChannelMessage(Name = \"quotes\", Version = 2)] public partial struct Quote { public long Id; public uint Qty; public Side Side; public VarUtf8 Symbol; }", "retyped" },
        { "rename type", "public enum Side : byte { Buy, Sell } [ChannelMessage(Name = \"quotes.v2\", Version = 2)] public partial struct Quote { public long Id; public int Qty; public Side Side; public VarUtf8 Symbol; }", "message name" },
        { "enum underlying", "public enum Side : int { Buy, Sell } [ChannelMessage(Name = \"quotes\", Version = 2)] public partial struct Quote { public long Id; public int Qty; public Side Side; public VarUtf8 Symbol; }", "Side:int32" },
        { "append without since", "public enum Side : byte { Buy, Sell } [ChannelMessage(Name = \"quotes\", Version = 2)] public partial struct Quote { public long Id; public int Qty; public Side Side; public VarUtf8 Symbol; public double Price; }", "[Since(n)]" },
        { "no version", "public enum Side : byte { Buy, Sell } [ChannelMessage(Name = \"quotes\")] public partial struct Quote { public long Id; public int Qty; public Side Side; public VarUtf8 Symbol; }", "version" },
    };

    [Theory]
    [MemberData(nameof(Allowed))]
    public void Compatible_changes_share_a_channel_both_ways(string change, string declarations)
    {
        MessageSchema older = Schema(V1), newer = Schema(declarations);
        Assert.True(MessageSchema.CheckCompatible(older, newer).Count == 0, change + ": " + string.Join("; ", MessageSchema.CheckCompatible(older, newer)));
        Assert.Empty(MessageSchema.CheckCompatible(newer, older));
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public void Breaking_changes_are_refused_both_ways_and_say_why(string change, string declarations, string why)
    {
        MessageSchema older = Schema(V1), newer = Schema(declarations);
        IReadOnlyList<string> problems = MessageSchema.CheckCompatible(older, newer);
        Assert.True(problems.Any(p => p.Contains(why, StringComparison.Ordinal)), change + ": " + string.Join("; ", problems));
        Assert.NotEmpty(MessageSchema.CheckCompatible(newer, older));
    }

    [Fact]
    public void Reordered_variable_fields_are_refused()
    {
        MessageSchema a = Schema("[ChannelMessage(Name = \"q\", Version = 2)] public partial struct Q { public long Id; [Since(2)] public VarBytes A; [Since(2)] public VarUtf8 B; }");
        MessageSchema b = Schema("[ChannelMessage(Name = \"q\", Version = 2)] public partial struct Q { public long Id; [Since(2)] public VarUtf8 B; [Since(2)] public VarBytes A; }");
        Assert.Contains(MessageSchema.CheckCompatible(a, b), p => p.Contains("moved", StringComparison.Ordinal));
    }

    [Fact]
    public void A_message_without_a_version_keeps_its_schema_text_and_fingerprint()
    {
        // The literal of FingerprintTests: evolution support left unversioned messages (and their segments) as they were,
        // [Obsolete] included, which only a versioned message writes into its text.
        const string plain = "[ChannelMessage(Name = \"orders\")] public partial struct Order { public long Id; [System.Obsolete] public int Qty; public VarUtf8 Note; }";
        CSharpText text = new(plain);
        Assert.Equal(0x752ec167493525ceUL, SchemaFingerprint.Compute(text.Schema));
        Assert.DoesNotContain("version=", text.Schema);
        Assert.DoesNotContain("obsolete", text.Schema);
    }

    [Fact]
    public void A_channel_refuses_a_breaking_version_with_the_reasons()
    {
        using var channel = new TestChannel("evorefuse");
        using SharedChannelWriter<OrderV1> writer = SharedChannel.CreateWriter<OrderV1>(channel.Name, channel.Options());

        var refused = Assert.Throws<ChannelSchemaMismatchException>(() => SharedChannel.OpenReader<OrderRetyped>(channel.Name, channel.Options()));

        Assert.Contains("Why they cannot share a channel", refused.Message);
        Assert.Contains("field 'Quantity': scalar int64 at offset 8, 8 bytes here, scalar int32 at offset 8, 4 bytes there: retyped or moved", refused.Message);
        Assert.Equal(OrderV1.Layout.SchemaText, refused.ActualSchema);
        Assert.Equal(OrderRetyped.Layout.SchemaText, refused.ExpectedSchema);
    }

    [Fact]
    public void A_channel_of_either_version_opens_with_the_other()
    {
        using var channel = new TestChannel("evoopen");
        using SharedChannelWriter<OrderV1> writer = SharedChannel.CreateWriter<OrderV1>(channel.Name, channel.Options());
        using SharedChannelReader<OrderV2> reader = SharedChannel.OpenReader<OrderV2>(channel.Name, channel.Options());
        Assert.NotEqual(OrderV1.Layout.Fingerprint, OrderV2.Layout.Fingerprint);
    }

    private static MessageSchema Schema(string declarations) => MessageSchema.Parse(new CSharpText(declarations).Schema);

    private sealed class CSharpText(string declarations)
    {
        public string Schema { get; } = Build(declarations);

        private static string Build(string declarations)
        {
            var compilation = GeneratorHarness.Compilation("using NeoBuffer;\n" + declarations);
            string type = declarations.Contains("struct Quote") ? "Quote" : declarations.Contains("struct Order") ? "Order" : "Q";
            MessageModel model = MessageModelFactory.Create(compilation.GetTypeByMetadataName(type)!, default)
                ?? throw new InvalidOperationException("the classifier rejected: " + declarations);
            return model.SchemaText;
        }
    }
}
