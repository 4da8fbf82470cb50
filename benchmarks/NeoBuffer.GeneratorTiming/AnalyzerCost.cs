using System;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Diagnostics.Telemetry;
using NeoBuffer.Analyzers;

namespace NeoBuffer.GeneratorTiming;

/// <summary>
/// What the NeoBuffer analyzer adds to a build of N messages: the analyzer driver's own count of time spent in the
/// analyzer's actions (<c>GetAnalyzerTelemetryInfoAsync</c>), and the wall and CPU time of the whole analysis, on a
/// cold process and again on a compilation whose declarations are bound already (what is left is the analyzer's work).
/// Sequential analysis, so that the time inside the actions is not inflated by the driver's own threads.
/// Run: <c>dotnet run -c Release --project benchmarks/NeoBuffer.GeneratorTiming -- --analyzers [N]</c>.
/// </summary>
internal static class AnalyzerCost
{
    public static int Run(int count, Func<int, CSharpCompilation> compilationOf)
    {
        Console.WriteLine($"analyzers over {count} message types");
        Measure("cold process", compilationOf(count), bindFirst: false);
        Measure("warm process", compilationOf(count), bindFirst: false);
        Measure("already bound", compilationOf(count), bindFirst: true);
        return 0;
    }

    private static void Measure(string label, CSharpCompilation compilation, bool bindFirst)
    {
        if (bindFirst)
        {
            compilation.GetDiagnostics();
        }

        var analyzer = new ChannelMessageAnalyzer();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), onAnalyzerException: null, concurrentAnalysis: false, logAnalyzerExecutionTime: true);
        CompilationWithAnalyzers withAnalyzers = compilation.WithAnalyzers([analyzer], options);

        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime;
        long start = Stopwatch.GetTimestamp();
        ImmutableArray<Diagnostic> diagnostics = Wait(withAnalyzers.GetAnalyzerDiagnosticsAsync());
        var total = new Program.Timing(Stopwatch.GetElapsedTime(start), Process.GetCurrentProcess().TotalProcessorTime - cpu);
        AnalyzerTelemetryInfo telemetry = Wait(withAnalyzers.GetAnalyzerTelemetryInfoAsync(analyzer, default));

        Console.WriteLine($"{label + ":",-15} analysis {total}; in the analyzer's actions {telemetry.ExecutionTime.TotalMilliseconds:0.0} ms; " +
            $"{diagnostics.Length} diagnostics");
    }

    private static T Wait<T>(Task<T> task) => task.GetAwaiter().GetResult();
}
