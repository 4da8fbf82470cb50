using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NeoBuffer.Generators;

namespace NeoBuffer.Generators.Tests;

/// <summary>Compiles test sources against the runtime and runs the generator over them, the way the compiler would.</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    /// <summary>The running runtime's assemblies and NeoBuffer's: what the test sources compile against.</summary>
    public static ImmutableArray<MetadataReference> References => s_references.Value;

    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Append(typeof(ChannelMessageAttribute).Assembly.Location)
            .Distinct()
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray());

    /// <summary>A compilation of <paramref name="sources"/>, each its own file (<c>File0.cs</c>, ...).</summary>
    public static CSharpCompilation Compilation(params string[] sources) =>
        CSharpCompilation.Create(
            "Messages",
            sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, ParseOptions, $"File{i}.cs")),
            s_references.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));

    /// <summary>A driver for the message generator (or <paramref name="generators"/>) that records what each pipeline step did.</summary>
    public static GeneratorDriver Driver(params IIncrementalGenerator[] generators) =>
        CSharpGeneratorDriver.Create(
            (generators.Length > 0 ? generators : [new ChannelMessageGenerator()]).Select(g => g.AsSourceGenerator()).ToArray(),
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator over <paramref name="sources"/> and checks that the result compiles without a warning.</summary>
    public static GeneratorRunResult Run(params string[] sources) => RunWith(Driver(), sources).Results.Single();

    /// <summary>Runs both generators (messages and process functions) over <paramref name="sources"/>, checked the same way.</summary>
    public static GeneratorDriverRunResult RunAll(params string[] sources) =>
        RunWith(Driver(new ChannelMessageGenerator(), new ProcessFunctionGenerator()), sources);

    private static GeneratorDriverRunResult RunWith(GeneratorDriver driver, string[] sources)
    {
        driver = driver.RunGeneratorsAndUpdateCompilation(Compilation(sources), out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
        Assert.Empty(generatorDiagnostics);
        // The test sources may warn (fields never assigned); the generated files may not.
        Diagnostic[] problems = output.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error || (d.Severity == DiagnosticSeverity.Warning && d.Location.SourceTree?.FilePath.EndsWith(".g.cs") == true))
            .ToArray();
        Assert.True(problems.Length == 0, "The generated code does not compile cleanly:\n" + string.Join("\n", problems.Select(d => d.ToString())));
        return driver.GetRunResult();
    }
}
