using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NeoBuffer.Classification;

namespace NeoBuffer.Generators.Tests;

/// <summary>
/// What the shared classifier rejects, and why: the analyzers report these reasons, and the generator emits nothing
/// for a rejected type (and says nothing).
/// </summary>
public sealed class ClassifierTests
{
    public static TheoryData<string, string, string> Rejected => new()
    {
        { "[ChannelMessage] public struct M { public int A; }", nameof(RejectionReason.NotPartialStruct), "" },
        { "[ChannelMessage] public partial class M { public int A; }", nameof(RejectionReason.NotPartialStruct), "" },
        { "[ChannelMessage] public partial struct M { public string S; }", nameof(RejectionReason.ReferenceType), "S" },
        { "[ChannelMessage] public partial struct M { public byte[] Bytes; }", nameof(RejectionReason.ReferenceType), "Bytes" },
        { "[ChannelMessage] public unsafe partial struct M { public int* P; }", nameof(RejectionReason.Pointer), "P" },
        { "[ChannelMessage] public unsafe partial struct M { public delegate*<void> F; }", nameof(RejectionReason.Pointer), "F" },
        { "[ChannelMessage] public partial struct M { public nint N; }", nameof(RejectionReason.NativeSizedInteger), "N" },
        { "[ChannelMessage] public partial struct M { public System.UIntPtr N; }", nameof(RejectionReason.NativeSizedInteger), "N" },
        { "[ChannelMessage] public partial struct M { public System.DateTime When; }", nameof(RejectionReason.AutoLayout), "When" },
        { "[ChannelMessage] public partial struct M { public (int, long) Pair; }", nameof(RejectionReason.AutoLayout), "Pair" },
        { "[ChannelMessage] public partial struct M { public int? Maybe; }", nameof(RejectionReason.AutoLayout), "Maybe" },
        { "[ChannelMessage] [StructLayout(LayoutKind.Auto)] public partial struct M { public int A; }", nameof(RejectionReason.AutoLayout), "" },
        { "[ChannelMessage] public partial struct M { public System.TimeSpan Span; }", nameof(RejectionReason.UntrustedExternalStruct), "Span" },
        { "[ChannelMessage] public partial struct M<T> where T : unmanaged { public T Value; }", nameof(RejectionReason.Generic), "" },
        { "public class Outer { [ChannelMessage] public partial struct M { public int A; } }", nameof(RejectionReason.ContainingTypeNotPartial), "" },
        { "[ChannelMessage] public ref partial struct M { public int A; }", nameof(RejectionReason.RefLike), "" },
        { "[ChannelMessage] [StructLayout(LayoutKind.Explicit)] public partial struct M { [FieldOffset(0)] public int A; }", nameof(RejectionReason.ExplicitLayout), "" },
        { "[ChannelMessage] public partial struct Inner { public VarBytes B; } [ChannelMessage] public partial struct M { public Inner Inner; }", nameof(RejectionReason.VarFieldInNestedStruct), "Inner.B" },
        { "[ChannelMessage] public partial struct M { public VarArray<VarUtf8> Texts; }", nameof(RejectionReason.VarFieldInNestedStruct), "Texts[]" },
        { "public struct Plain { public int A; } [ChannelMessage] public partial struct M { public Plain P; }", nameof(RejectionReason.NotAChannelMessage), "P" },
        { "[ChannelMessage] public partial struct M { public int A { get; set; } }", nameof(RejectionReason.HiddenField), "A" },
        { "[ChannelMessage] [StructLayout(LayoutKind.Sequential, Pack = 1)] public partial struct M { public int A; }", nameof(RejectionReason.PackOrSizeOverride), "" },
        { "[ChannelMessage] public partial struct M { public int Commit; }", nameof(RejectionReason.ReservedName), "Commit" },
        { "[ChannelMessage] public partial struct M { public int __x; }", nameof(RejectionReason.ReservedName), "__x" },
        { "[ChannelMessage] public partial struct M { public VarUtf8 Name; public int NameUtf8; }", nameof(RejectionReason.ReservedName), "NameUtf8" },
        { "[ChannelMessage(Version = 2)] public partial struct M { [Since(2)] public int Size; public int HasSize; }", nameof(RejectionReason.ReservedName), "HasSize" },
        { "[ChannelMessage] public partial struct M { public long A; [Since(2)] public int B; }", nameof(RejectionReason.SinceWithoutVersion), "B" },
        { "[ChannelMessage(Version = 2)] public partial struct M { public long A; [Since(3)] public int B; }", nameof(RejectionReason.VersionOutOfRange), "B" },
        { "[ChannelMessage(Version = 2)] public partial struct M { [Since(2)] public int B; public long A; }", nameof(RejectionReason.SinceOutOfOrder), "A" },
        { "[ChannelMessage(Version = 1)] public partial struct P { public int X; } [ChannelMessage] public partial struct M { public P At; }", nameof(RejectionReason.VersionedNested), "At" },
        { "[ChannelMessage] public partial struct Inner { public nint N; } [ChannelMessage] public partial struct M { public Inner Inner; }", nameof(RejectionReason.NativeSizedInteger), "Inner.N" },
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Rejects_with_the_reason_and_the_field_path(string declarations, string reasonName, string path)
    {
        var reason = System.Enum.Parse<RejectionReason>(reasonName);
        string source = Wrap(declarations);
        MessageClassification classification = MessageClassifier.Classify(Type(source, "M"));

        Assert.False(classification.IsValid);
        Assert.Contains(classification.Rejections, r => r.Reason == reason && r.FieldPath == path);

        // The generator stays silent on a rejected type: the analyzers report it.
        GeneratorDriver driver = GeneratorHarness.Driver().RunGenerators(GeneratorHarness.Compilation(source));
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        Assert.DoesNotContain(result.GeneratedSources, s => s.HintName == "M.g.cs");
        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void A_rejection_names_the_offending_type_as_CSharp_shows_it()
    {
        MessageClassification classification = MessageClassifier.Classify(Type(Wrap("public partial struct M { public int A; public string[] Names; }"), "M"));
        Rejection rejection = Assert.Single(classification.Rejections);
        Assert.Equal(new Rejection(RejectionReason.ReferenceType, "Names", "string[]"), rejection);
    }

    [Fact]
    public void Accepts_every_allowed_kind_and_lays_it_out_naturally()
    {
        MessageClassification classification = MessageClassifier.Classify(Type(Scenarios.All["SpecialScalars"], "Demo.SpecialScalars"));
        Assert.True(classification.IsValid);
        Assert.Equal([0, 2, 8, 24, 40, 48, 64], classification.Fields.Select(f => f.Offset));
        Assert.Equal(80, classification.FixedSize);
        Assert.Equal(16, classification.Alignment);
    }

    private static string Wrap(string declarations) => "using System.Runtime.InteropServices; using NeoBuffer;\n" + declarations;

    private static INamedTypeSymbol Type(string source, string name)
    {
        CSharpCompilation compilation = GeneratorHarness.Compilation(source);
        return compilation.GetTypeByMetadataName(name) ?? compilation.GetSymbolsWithName(n => n == name.Split('.').Last(), SymbolFilter.Type).OfType<INamedTypeSymbol>().First();
    }
}
