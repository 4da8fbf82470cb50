using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using Microsoft.CodeAnalysis.Text;
using NeoBuffer.Analyzers.Locking;
using NeoBuffer.Classification;
using NeoBuffer.CodeFixes;
using NeoBuffer.Generators.Tests;

namespace NeoBuffer.Analyzers.Tests;

/// <summary>
/// Each message against its entry in <c>neobuffer.schema.lock</c>: every kind of change, the warning for a compatible
/// one (NB0108) with the fix that records it, and the error at the field for a breaking one (NB0109).
/// </summary>
public sealed class SchemaLockTests
{
    private const string Shipped = """
        public enum Side : byte { Buy, Sell }
        [ChannelMessage(Name = "quotes", Version = 1)]
        public partial struct Quote { public long Id; public int Qty; public Side Side; public VarUtf8 Symbol; }
        """;

    [Theory]
    [InlineData("append fixed", "public enum Side : byte { Buy, Sell } [ChannelMessage(Name = \"quotes\", Version = 2)] public partial struct Quote { public long Id; public int Qty; public Side Side; public VarUtf8 Symbol; [Since(2)] public double Price; }")]
    [InlineData("append var", "public enum Side : byte { Buy, Sell } [ChannelMessage(Name = \"quotes\", Version = 2)] public partial struct Quote { public long Id; public int Qty; public Side Side; public VarUtf8 Symbol; [Since(2)] public VarBytes Note; }")]
    [InlineData("obsolete", "public enum Side : byte { Buy, Sell } [ChannelMessage(Name = \"quotes\", Version = 2)] public partial struct Quote { public long Id; [Obsolete] public int Qty; public Side Side; public VarUtf8 Symbol; }")]
    [InlineData("new message", "public enum Side : byte { Buy, Sell } [ChannelMessage(Name = \"quotes\", Version = 1)] public partial struct Quote { public long Id; public int Qty; public Side Side; public VarUtf8 Symbol; } [ChannelMessage] public partial struct Fresh { public int A; }")]
    public async Task A_compatible_change_is_a_warning_on_the_message(string change, string current)
    {
        ImmutableArray<Diagnostic> diagnostics = await AnalyzeAsync(current, LockOf(Shipped));

        Diagnostic warning = Assert.Single(diagnostics);
        Assert.Equal("NB0108", warning.Id);
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.True(warning.GetMessage().Contains(change == "new message" ? "is not in neobuffer.schema.lock yet" : "extends its locked schema compatibly"), change + ": " + warning.GetMessage());
    }

    [Theory]
    [InlineData("remove", "public enum Side : byte { Buy, Sell } [ChannelMessage(Name = \"quotes\", Version = 2)] public partial struct Quote { public long Id; public int Qty; public VarUtf8 Symbol; }", "Symbol", "removed")]
    [InlineData("move", "public enum Side : byte { Buy, Sell } [ChannelMessage(Name = \"quotes\", Version = 2)] public partial struct Quote { public long Id; public Side Side; public int Qty; public VarUtf8 Symbol; }", "Side", "moved")]
    [InlineData("retype", "public enum Side : byte { Buy, Sell } [ChannelMessage(Name = \"quotes\", Version = 2)] public partial struct Quote { public long Id; public long Qty; public Side Side; public VarUtf8 Symbol; }", "Qty", "retyped")]
    [InlineData("enum underlying", "public enum Side : int { Buy, Sell } [ChannelMessage(Name = \"quotes\", Version = 2)] public partial struct Quote { public long Id; public int Qty; public Side Side; public VarUtf8 Symbol; }", "Side", "Side:int32")]
    [InlineData("reorder", "public enum Side : byte { Buy, Sell } [ChannelMessage(Name = \"quotes\", Version = 2)] public partial struct Quote { public int Qty; public long Id; public Side Side; public VarUtf8 Symbol; }", "Qty", "moved")]
    [InlineData("rename type", "public enum Side : byte { Buy, Sell } [ChannelMessage(Name = \"quotes.v2\", Version = 1)] public partial struct Quote { public long Id; public int Qty; public Side Side; public VarUtf8 Symbol; }", "Quote", "A renamed message is another message")]
    [InlineData("append without since", "public enum Side : byte { Buy, Sell } [ChannelMessage(Name = \"quotes\", Version = 2)] public partial struct Quote { public long Id; public int Qty; public Side Side; public VarUtf8 Symbol; public double Price; }", "Price", "[Since(n)]")]
    public async Task A_breaking_change_is_an_error_at_the_field_saying_why(string change, string current, string at, string why)
    {
        ImmutableArray<Diagnostic> diagnostics = await AnalyzeAsync(current, LockOf(Shipped));

        Assert.NotEmpty(diagnostics);
        Assert.All(diagnostics, d => Assert.Equal("NB0109", d.Id));
        Assert.All(diagnostics, d => Assert.Equal(DiagnosticSeverity.Error, d.Severity));
        Diagnostic first = diagnostics.OrderBy(d => d.Location.SourceSpan.Start).First(d => d.GetMessage().Contains(why));
        string located = first.Location.SourceTree!.GetText().ToString(first.Location.SourceSpan);
        Assert.True(located == at, $"{change}: at '{located}', expected '{at}': {first.GetMessage()}");
    }

    [Fact]
    public async Task An_unchanged_message_and_a_project_without_a_lock_file_get_nothing()
    {
        Assert.Empty(await AnalyzeAsync(Shipped, LockOf(Shipped)));
        Assert.Empty(await AnalyzeAsync(Shipped.Replace("Version = 1", "Version = 2"), lockText: null));
    }

    [Fact]
    public async Task The_fix_records_a_compatible_change_in_the_lock_file()
    {
        const string current = "public enum Side : byte { Buy, Sell } [ChannelMessage(Name = \"quotes\", Version = 2)] public partial struct {|NB0108:Quote|} { public long Id; public int Qty; public Side Side; public VarUtf8 Symbol; [Since(2)] public double Price; }";
        var test = new CSharpCodeFixTest<ChannelMessageAnalyzer, UpdateSchemaLockCodeFix, DefaultVerifier>
        {
            ReferenceAssemblies = new ReferenceAssemblies("net10.0"),
            TestCode = Verifier.Usings + current,
            FixedCode = Verifier.Usings + current.Replace("{|NB0108:Quote|}", "Quote"),
        };
        test.TestState.AdditionalFiles.Add((SchemaLockFile.FileName, LockOf(Shipped)));
        test.FixedState.AdditionalFiles.Add((SchemaLockFile.FileName, LockOf(current.Replace("{|NB0108:Quote|}", "Quote"))));
        test.TestState.AdditionalReferences.AddRange(GeneratorHarness.References);
        test.FixedState.AdditionalReferences.AddRange(GeneratorHarness.References);
        await test.RunAsync();
    }

    // The lock file the fix would write for every message in the declarations, as the analyzer computes it.
    private static string LockOf(string declarations)
    {
        CSharpCompilation compilation = GeneratorHarness.Compilation(Verifier.Usings + declarations);
        string text = "";
        foreach (INamedTypeSymbol type in compilation.GetSymbolsWithName(_ => true, SymbolFilter.Type).OfType<INamedTypeSymbol>().Where(MessageClassifier.IsChannelMessage))
        {
            MessageClassification message = MessageClassifier.Classify(type);
            text = SchemaLockFile.WithEntry(text, new SchemaLockEntry(type.ToDisplayString(), message.SchemaName, SchemaText.Build(message)));
        }

        return text;
    }

    private static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(string declarations, string? lockText)
    {
        CSharpCompilation compilation = GeneratorHarness.Compilation(Verifier.Usings + declarations);
        ImmutableArray<AdditionalText> files = lockText is null ? ImmutableArray<AdditionalText>.Empty : ImmutableArray.Create<AdditionalText>(new LockText(lockText));
        return await compilation
            .WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new ChannelMessageAnalyzer()), new AnalyzerOptions(files))
            .GetAnalyzerDiagnosticsAsync();
    }

    private sealed class LockText(string text) : AdditionalText
    {
        public override string Path => "/project/" + SchemaLockFile.FileName;

        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text);
    }
}
