using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NeoBuffer.Generators;

namespace NeoBuffer.GeneratorTiming;

/// <summary>
/// Prints how long the generator takes over a compilation of N message types (default 500), one file each: a first
/// full run (cold: includes JIT of the generator and of Roslyn), a full run on a warm process, the same on a compilation
/// whose symbols are bound already, and an incremental run after an unrelated edit. Run: <c>dotnet run -c Release --project benchmarks/NeoBuffer.GeneratorTiming [-- N]</c>. With <c>--analyzers</c>, the analyzers' cost over the
/// same compilation instead (<see cref="AnalyzerCost"/>). A measurement, not a test: nothing is asserted.
/// </summary>
internal static class Program
{
    private static readonly CSharpParseOptions s_parse = new(LanguageVersion.Latest);

    private static int Main(string[] args)
    {
        int count = args.FirstOrDefault(a => !a.StartsWith("--")) is { } n ? int.Parse(n) : 500;
        if (args.Contains("--analyzers"))
        {
            return AnalyzerCost.Run(count, Compilation);
        }

        CSharpCompilation compilation = Compilation(count);
        Console.WriteLine($"{count} message types, {compilation.SyntaxTrees.Count()} files");

        (Timing cold, GeneratorDriver driver) = Run(Driver(), compilation);
        Console.WriteLine($"full run, cold process:   {cold}, {driver.GetRunResult().GeneratedTrees.Length} files generated");

        // A fresh compilation: the first one has its symbols bound already, which would flatter the second run.
        compilation = Compilation(count);
        (Timing warm, driver) = Run(Driver(), compilation);
        Console.WriteLine($"full run, warm process:   {warm}");

        // The compiler binds every declaration anyway; on a compilation bound already, what is left is the generator's own work.
        (Timing bound, _) = Run(Driver(), compilation);
        Console.WriteLine($"full run, already bound:  {bound}");

        SyntaxTree unrelated = compilation.SyntaxTrees.Last();
        CSharpCompilation edited = compilation.ReplaceSyntaxTree(unrelated, CSharpSyntaxTree.ParseText(UnrelatedSource(2), s_parse, unrelated.FilePath));
        (Timing incremental, GeneratorDriver after) = Run(driver, edited);
        GeneratorRunResult result = after.GetRunResult().Results[0];
        Console.WriteLine($"unrelated edit:           {incremental} " +
            $"(models: {Reasons(result.TrackedSteps[TrackingNames.Models])}; outputs: {Reasons(result.TrackedOutputSteps.SelectMany(s => s.Value))})");
        return 0;
    }

    private static string Reasons(IEnumerable<IncrementalGeneratorRunStep> steps) =>
        string.Join(", ", steps.SelectMany(s => s.Outputs).GroupBy(o => o.Reason).Select(g => $"{g.Key} {g.Count()}"));

    // Wall time, and in brackets the process's CPU time, which a busy machine inflates less.
    private static (Timing, GeneratorDriver) Run(GeneratorDriver driver, Compilation compilation)
    {
        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime;
        long start = Stopwatch.GetTimestamp();
        driver = driver.RunGenerators(compilation);
        return (new Timing(Stopwatch.GetElapsedTime(start), Process.GetCurrentProcess().TotalProcessorTime - cpu), driver);
    }

    internal readonly record struct Timing(TimeSpan Wall, TimeSpan Cpu)
    {
        public override string ToString() => $"{Wall.TotalMilliseconds,8:0.0} ms (cpu {Cpu.TotalMilliseconds:0} ms)";
    }

    private static GeneratorDriver Driver() =>
        CSharpGeneratorDriver.Create([new ChannelMessageGenerator().AsSourceGenerator()], parseOptions: s_parse,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    private static CSharpCompilation Compilation(int count)
    {
        var trees = new List<SyntaxTree>();
        for (int i = 0; i < count; i++)
        {
            trees.Add(CSharpSyntaxTree.ParseText(MessageSource(i), s_parse, $"Message{i}.cs"));
        }

        trees.Add(CSharpSyntaxTree.ParseText(UnrelatedSource(1), s_parse, "Unrelated.cs"));
        IEnumerable<MetadataReference> references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Append(typeof(ChannelMessageAttribute).Assembly.Location)
            .Distinct()
            .Select(path => MetadataReference.CreateFromFile(path));
        return CSharpCompilation.Create("Timing", trees, references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true));
    }

    // Every fifth message nests the one before it; the rest mix scalars, an enum and var fields.
    private static string MessageSource(int i)
    {
        var source = new StringBuilder()
            .AppendLine("using System; using NeoBuffer;")
            .AppendLine("namespace Timing.Messages;")
            .AppendLine($"public enum Kind{i} : byte {{ A, B }}")
            .AppendLine("[ChannelMessage]")
            .AppendLine($"public partial struct Message{i}")
            .AppendLine("{")
            .AppendLine("    public long Id; public int Count; public double Value; public bool Flag; public Guid Key;")
            .AppendLine($"    public Kind{i} Kind;");
        if (i % 5 == 4)
        {
            source.AppendLine($"    public Fixed{i} Inner;");
        }
        else
        {
            source.AppendLine("    public VarUtf8 Name; public VarBytes Data; public VarArray<long> Values;");
        }

        source.AppendLine("}");
        if (i % 5 == 4)
        {
            source.AppendLine($"[ChannelMessage] public partial struct Fixed{i} {{ public short A; public long B; public Half C; }}");
        }

        return source.ToString();
    }

    private static string UnrelatedSource(int factor) => $"namespace Timing; public static class Helper {{ public static int Scale(int x) => x * {factor}; }}";
}
