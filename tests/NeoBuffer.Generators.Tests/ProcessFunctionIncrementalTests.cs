using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace NeoBuffer.Generators.Tests;

/// <summary>The process-function pipeline caches: an unrelated edit redoes nothing; an edited function only itself and the table.</summary>
public sealed class ProcessFunctionIncrementalTests
{
    private const string Functions = """
        using NeoBuffer;
        namespace Demo;
        public static partial class Calculator
        {
            [ProcessFunction] public static int Add(int a, int b) => a + b;
            [ProcessFunction] public static int Twice(int a) => a * 2;
        }
        """;

    private const string Unrelated = """
        namespace Demo;
        public static class Helpers { public static int Twice(int x) => x * 2; }
        """;

    [Fact]
    public void An_unrelated_edit_regenerates_nothing()
    {
        CSharpCompilation compilation = GeneratorHarness.Compilation(Functions, Unrelated);
        GeneratorDriver driver = GeneratorHarness.Driver(new ProcessFunctionGenerator()).RunGenerators(compilation);
        GeneratorRunResult second = driver.RunGenerators(Replace(compilation, 1, Unrelated.Replace("x * 2", "x + x"))).GetRunResult().Results.Single();

        Assert.Equal(2, Reasons(second, TrackingNames.ProcessFunctions).Length);
        Assert.All(Reasons(second, TrackingNames.ProcessFunctions), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
        Assert.All(Reasons(second, TrackingNames.ProcessFunctionTable), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
        Assert.All(second.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void Editing_a_function_regenerates_it_and_no_other()
    {
        CSharpCompilation compilation = GeneratorHarness.Compilation(Functions, Unrelated);
        GeneratorDriver driver = GeneratorHarness.Driver(new ProcessFunctionGenerator()).RunGenerators(compilation);
        GeneratorRunResult second = driver.RunGenerators(Replace(compilation, 0, Functions.Replace("Twice(int a)", "Twice(long a)").Replace("a * 2", "(int)a * 2"))).GetRunResult().Results.Single();

        IncrementalStepRunReason[] reasons = Reasons(second, TrackingNames.ProcessFunctions);
        Assert.Contains(IncrementalStepRunReason.Modified, reasons);
        Assert.Contains(reasons, r => r is IncrementalStepRunReason.Unchanged or IncrementalStepRunReason.Cached);
        Assert.Contains("ReadValue<long>()", second.GeneratedSources.Single(s => s.HintName == "Demo.Calculator.Twice.process.g.cs").SourceText.ToString());
    }

    private static CSharpCompilation Replace(CSharpCompilation compilation, int file, string source)
    {
        SyntaxTree old = compilation.SyntaxTrees.Single(t => t.FilePath == $"File{file}.cs");
        return compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(source, GeneratorHarness.ParseOptions, old.FilePath));
    }

    private static IncrementalStepRunReason[] Reasons(GeneratorRunResult result, string step) =>
        result.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray();
}
