using System;
using System.Collections.Generic;
using System.IO;

namespace NeoBuffer.Bench.Report;

/// <summary>
/// Prints the rows as a fixed-width table (the README's table is a copy of it); with <c>participants</c>, two more
/// columns say how many producer and reader processes each row had.
/// </summary>
internal static class ResultTable
{
    public static void Print(TextWriter output, IReadOnlyList<ResultRow> rows, bool participants = false)
    {
        string head = participants ? $" {"prod",4} | {"subs",4} |" : string.Empty;
        string rule = participants ? $" {new string('-', 4)} | {new string('-', 4)} |" : string.Empty;
        output.WriteLine($"| {"scenario",-20} | {"transport",-20} | {"size",6} |{head} {"msgs/block",10} | {"M msgs/s",9} | {"GB/s",7} | {"p50 us",7} | {"p99 us",7} | {"place",5} | {"rounds low .. high",20} |");
        output.WriteLine($"| {new string('-', 20)} | {new string('-', 20)} | {new string('-', 6)} |{rule} {new string('-', 10)} | {new string('-', 9)} | {new string('-', 7)} | {new string('-', 7)} | {new string('-', 7)} | {new string('-', 5)} | {new string('-', 20)} |");
        foreach (ResultRow row in rows)
        {
            string counts = participants ? $" {row.Producers,4} | {row.Subscribers,4} |" : string.Empty;
            output.WriteLine(
                $"| {row.Scenario,-20} | {row.Transport,-20} | {Size(row.MessageBytes),6} |{counts} {row.Messages,10} | {Format(row.MsgsPerSec, 1e-6, "0.000"),9} | {Format(row.GbPerSec, 1, "0.00"),7} | {Format(row.P50Ns, 1e-3, "0.000"),7} | {Format(row.P99Ns, 1e-3, "0.000"),7} | {row.Placement,5} | {Spread(row),20} |");
        }
    }

    /// <summary>The lowest and highest round: M msgs/s for throughput, p50 us for round trips.</summary>
    private static string Spread(ResultRow row) => row.RoundSpread is (double low, double high)
        ? row.P50Ns is null
            ? $"{Format(low, 1e-6, "0.000")} .. {Format(high, 1e-6, "0.000")}"
            : $"{Format(low, 1e-3, "0.000")} .. {Format(high, 1e-3, "0.000")} us"
        : "-";

    public static string Size(long bytes) => bytes switch
    {
        >= 1 << 20 when bytes % (1 << 20) == 0 => $"{bytes >> 20} MiB",
        >= 1 << 10 when bytes % (1 << 10) == 0 => $"{bytes >> 10} KiB",
        _ => $"{bytes} B",
    };

    private static string Format(double? value, double scale, string format) =>
        value is double number ? (number * scale).ToString(format, System.Globalization.CultureInfo.InvariantCulture) : "-";
}
