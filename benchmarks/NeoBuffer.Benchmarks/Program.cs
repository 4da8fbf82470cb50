using BenchmarkDotNet.Running;

namespace NeoBuffer.Benchmarks;

/// <summary>
/// In-process micro-benchmarks of the channel's hot path. Run with
/// <c>dotnet run -c Release --project benchmarks/NeoBuffer.Benchmarks -- --filter '*'</c>.
/// </summary>
internal static class Program
{
    private static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
