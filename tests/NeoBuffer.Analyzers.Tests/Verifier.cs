using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;
using NeoBuffer.Generators.Tests;

namespace NeoBuffer.Analyzers.Tests;

/// <summary>
/// Runs the analyzer (and a code fix) over markup sources with the Roslyn testing library, offline: the compilation
/// sees the running runtime's assemblies and NeoBuffer's, not reference packs that would have to be downloaded.
/// </summary>
internal static class Verifier
{
    // No package to resolve: the references come from GeneratorHarness.References instead.
    private static readonly ReferenceAssemblies s_noReferencePack = new("net10.0");

    public const string Usings = "using System; using System.Runtime.CompilerServices; using System.Runtime.InteropServices; using NeoBuffer;\n";

    public static DiagnosticResult Diagnostic(string id) => new(id, id == "NB0012" ? Microsoft.CodeAnalysis.DiagnosticSeverity.Warning : Microsoft.CodeAnalysis.DiagnosticSeverity.Error);

    /// <summary>Checks that the analyzer reports exactly the diagnostics marked in <paramref name="source"/> (and <paramref name="expected"/>).</summary>
    public static Task AnalyzerAsync(string source, params DiagnosticResult[] expected) => AnalyzerAsync<ChannelMessageAnalyzer>(source, expected);

    /// <summary>Checks that <typeparamref name="TAnalyzer"/> reports exactly the diagnostics marked in <paramref name="source"/> (and <paramref name="expected"/>).</summary>
    public static Task AnalyzerAsync<TAnalyzer>(string source, params DiagnosticResult[] expected)
        where TAnalyzer : Microsoft.CodeAnalysis.Diagnostics.DiagnosticAnalyzer, new()
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier> { TestCode = source };
        Configure(test.TestState);
        test.ReferenceAssemblies = s_noReferencePack;
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    /// <summary>Checks that <typeparamref name="TFix"/> turns <paramref name="source"/> into <paramref name="fixedSource"/>, one by one and all at once.</summary>
    public static Task CodeFixAsync<TFix>(string source, string fixedSource)
        where TFix : CodeFixProvider, new() => CodeFixAsync<TFix>([source], [fixedSource]);

    /// <summary>
    /// The same over several files. With <paramref name="kindsOfFix"/> above 1, FixAll passes may each fix one kind
    /// (equivalence key) and are counted as "at most" that many; otherwise each FixAll scope must finish in one pass.
    /// </summary>
    public static Task CodeFixAsync<TFix>(string[] sources, string[] fixedSources, int kindsOfFix = 1)
        where TFix : CodeFixProvider, new() => CodeFixAsync<ChannelMessageAnalyzer, TFix>(sources, fixedSources, kindsOfFix);

    /// <summary>The same for the diagnostics of <typeparamref name="TAnalyzer"/>.</summary>
    public static Task CodeFixAsync<TAnalyzer, TFix>(string[] sources, string[] fixedSources, int kindsOfFix = 1)
        where TAnalyzer : Microsoft.CodeAnalysis.Diagnostics.DiagnosticAnalyzer, new()
        where TFix : CodeFixProvider, new()
    {
        var test = new CSharpCodeFixTest<TAnalyzer, TFix, DefaultVerifier> { ReferenceAssemblies = s_noReferencePack };
        foreach (string source in sources)
        {
            test.TestState.Sources.Add(source);
        }

        foreach (string fixedSource in fixedSources)
        {
            test.FixedState.Sources.Add(fixedSource);
        }

        Configure(test.TestState);
        Configure(test.FixedState);
        if (kindsOfFix > 1)
        {
            // Negative: "at most", in the testing library's terms.
            test.NumberOfIncrementalIterations = -64;
            test.NumberOfFixAllIterations = -kindsOfFix;
            test.NumberOfFixAllInDocumentIterations = -kindsOfFix * sources.Length;
            test.NumberOfFixAllInProjectIterations = -kindsOfFix;
        }

        return test.RunAsync();
    }

    private static void Configure(SolutionState state) => state.AdditionalReferences.AddRange(GeneratorHarness.References);
}
