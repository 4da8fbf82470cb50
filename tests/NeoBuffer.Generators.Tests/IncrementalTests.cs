using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace NeoBuffer.Generators.Tests;

/// <summary>The pipeline caches: work is redone only for messages whose model changed.</summary>
public sealed class IncrementalTests
{
    private const string Inner = """
        using NeoBuffer;
        namespace Demo;
        [ChannelMessage] public partial struct Inner { public int A; public short B; }
        """;

    private const string Outer = """
        using NeoBuffer;
        namespace Demo;
        [ChannelMessage] public partial struct Outer { public long Id; public Inner Inner; public VarUtf8 Name; }
        """;

    private const string Unrelated = """
        namespace Demo;
        public static class Helpers { public static int Twice(int x) => x * 2; }
        """;

    [Fact]
    public void The_same_input_twice_is_all_cached()
    {
        CSharpCompilation compilation = GeneratorHarness.Compilation(Inner, Outer, Unrelated);
        GeneratorDriver driver = GeneratorHarness.Driver().RunGenerators(compilation);
        GeneratorRunResult second = driver.RunGenerators(compilation).GetRunResult().Results.Single();

        Assert.All(ModelReasons(second), reason => Assert.Equal(IncrementalStepRunReason.Cached, reason));
        Assert.All(OutputReasons(second), reason => Assert.Equal(IncrementalStepRunReason.Cached, reason));
    }

    [Fact]
    public void An_unrelated_edit_regenerates_nothing()
    {
        CSharpCompilation compilation = GeneratorHarness.Compilation(Inner, Outer, Unrelated);
        GeneratorDriver driver = GeneratorHarness.Driver().RunGenerators(compilation);
        CSharpCompilation edited = Replace(compilation, 2, Unrelated.Replace("x * 2", "x + x"));
        GeneratorRunResult second = driver.RunGenerators(edited).GetRunResult().Results.Single();

        Assert.Equal(2, ModelReasons(second).Length);
        Assert.All(ModelReasons(second), reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, reason.ToString()));
        Assert.All(OutputReasons(second), reason => Assert.Equal(IncrementalStepRunReason.Cached, reason));
    }

    [Fact]
    public void Editing_a_nested_message_in_another_file_regenerates_the_outer_message()
    {
        CSharpCompilation compilation = GeneratorHarness.Compilation(Inner, Outer, Unrelated);
        GeneratorDriver driver = GeneratorHarness.Driver().RunGenerators(compilation);
        string before = Source(driver, "Demo.Outer.g.cs");

        CSharpCompilation edited = Replace(compilation, 0, Inner.Replace("short B", "long B"));
        driver = driver.RunGenerators(edited);
        GeneratorRunResult second = driver.GetRunResult().Results.Single();

        Assert.Equal(IncrementalStepRunReason.Modified, OutputReason(second, "Demo.Outer.g.cs"));
        Assert.Equal(IncrementalStepRunReason.Modified, OutputReason(second, "Demo.Inner.g.cs"));
        Assert.NotEqual(before, Source(driver, "Demo.Outer.g.cs"));
        Assert.Contains("field Inner.B scalar offset=16 size=8 type=int64", Source(driver, "Demo.Outer.g.cs"));
    }

    private static CSharpCompilation Replace(CSharpCompilation compilation, int file, string source)
    {
        SyntaxTree old = compilation.SyntaxTrees.Single(t => t.FilePath == $"File{file}.cs");
        return compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(source, GeneratorHarness.ParseOptions, old.FilePath));
    }

    private static IncrementalStepRunReason[] ModelReasons(GeneratorRunResult result) =>
        result.TrackedSteps[TrackingNames.Models].SelectMany(step => step.Outputs).Select(output => output.Reason).ToArray();

    private static IncrementalStepRunReason[] OutputReasons(GeneratorRunResult result) =>
        result.TrackedOutputSteps.SelectMany(step => step.Value).SelectMany(step => step.Outputs).Select(output => output.Reason).ToArray();

    // The source output step's outputs come in the order of the models, which is the order of the files.
    private static IncrementalStepRunReason OutputReason(GeneratorRunResult result, string hintName)
    {
        IncrementalStepRunReason[] reasons = OutputReasons(result);
        int index = result.GeneratedSources.Select(s => s.HintName).ToList().IndexOf(hintName);
        return reasons[index];
    }

    private static string Source(GeneratorDriver driver, string hintName) =>
        driver.GetRunResult().Results.Single().GeneratedSources.Single(s => s.HintName == hintName).SourceText.ToString();
}
