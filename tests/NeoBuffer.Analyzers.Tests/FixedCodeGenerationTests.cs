using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using NeoBuffer.CodeFixes;
using NeoBuffer.Generators.Tests;

namespace NeoBuffer.Analyzers.Tests;

/// <summary>
/// The point of the fixes: after them the message compiles, the analyzer is silent, and the generator generates its
/// layout, View and Builder.
/// </summary>
public sealed class FixedCodeGenerationTests
{
    private const string Broken = """
        using System;
        using NeoBuffer;
        namespace Demo
        {
            public class Outer
            {
                [ChannelMessage] public partial struct Point { public int X, Y; }
                [ChannelMessage]
                public struct Reading
                {
                    public string Sensor;
                    public byte[] Raw;
                    public Point[] Path;
                    public nint Handle;
                    public UIntPtr Size;
                    public DateTime Taken;
                    public DateTimeOffset Sent;
                }
            }
        }
        """;

    [Fact]
    public async Task Fixed_code_compiles_and_generates()
    {
        string fixedSource = await FixAllAsync(Broken);

        Assert.Contains("public partial class Outer", fixedSource);
        Assert.Contains("public partial struct Reading", fixedSource);
        GeneratorRunResult result = GeneratorHarness.Run(fixedSource);
        Assert.Contains(result.GeneratedSources, s => s.HintName.Contains("Reading"));
        Assert.Contains(result.GeneratedSources, s => s.HintName.Contains("Point"));
        Assert.Empty(await AnalyzerDiagnosticsAsync(GeneratorHarness.Compilation(fixedSource)));
    }

    // Applies every fix the analyzer's diagnostics offer, one at a time, until none is left.
    private static async Task<string> FixAllAsync(string source)
    {
        using var workspace = new AdhocWorkspace();
        Project project = workspace.AddProject("Fixes", LanguageNames.CSharp)
            .WithCompilationOptions(new Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true))
            .WithParseOptions(GeneratorHarness.ParseOptions)
            .AddMetadataReferences(GeneratorHarness.References);
        Document document = project.AddDocument("Broken.cs", SourceText.From(source));
        CodeFixProvider[] fixes = [new AddPartialCodeFix(), new ReplaceFieldTypeCodeFix()];
        for (int round = 0; round < 20; round++)
        {
            Compilation compilation = (await document.Project.GetCompilationAsync())!;
            Diagnostic? diagnostic = (await AnalyzerDiagnosticsAsync(compilation)).FirstOrDefault();
            if (diagnostic is null)
            {
                return (await document.GetTextAsync()).ToString();
            }

            CodeAction? action = null;
            foreach (CodeFixProvider fix in fixes.Where(f => f.FixableDiagnosticIds.Contains(diagnostic.Id)))
            {
                await fix.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (a, _) => action ??= a, default));
            }

            Assert.True(action is not null, "No fix for " + diagnostic);
            ApplyChangesOperation apply = (await action!.GetOperationsAsync(default)).OfType<ApplyChangesOperation>().Single();
            document = apply.ChangedSolution.GetDocument(document.Id)!;
        }

        Assert.Fail("The fixes did not converge");
        return "";
    }

    private static async Task<System.Collections.Immutable.ImmutableArray<Diagnostic>> AnalyzerDiagnosticsAsync(Compilation compilation) =>
        await compilation.WithAnalyzers([new ChannelMessageAnalyzer()]).GetAnalyzerDiagnosticsAsync();
}
