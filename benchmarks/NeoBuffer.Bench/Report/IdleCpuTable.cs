using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace NeoBuffer.Bench.Report;

/// <summary>
/// Prints the <c>idle-cpu</c> rows, one per parked reader process, as a fixed-width table of their own: none of the
/// throughput and latency columns applies to them, and their figures (CPU %, wake-ups/s) have no column in the other.
/// </summary>
internal static class IdleCpuTable
{
    public static void Print(TextWriter output, IReadOnlyList<ResultRow> rows)
    {
        output.WriteLine($"| {"scenario",-20} | {"transport",-9} | {"reader",-27} | {"subs",4} | {"cpu %",7} | {"wake-ups/s",10} |");
        output.WriteLine($"| {new string('-', 20)} | {new string('-', 9)} | {new string('-', 27)} | {new string('-', 4)} | {new string('-', 7)} | {new string('-', 10)} |");
        foreach (ResultRow row in rows)
        {
            output.WriteLine(
                $"| {row.Scenario,-20} | {row.Transport,-9} | {row.Reader,-27} | {row.Subscribers,4} | {row.CpuPercent?.ToString("0.000", CultureInfo.InvariantCulture),7} | {row.WakeupsPerSec?.ToString("0.0", CultureInfo.InvariantCulture),10} |");
        }
    }
}
