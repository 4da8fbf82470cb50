using System;
using System.Collections.Generic;
using System.Linq;
using NeoBuffer.Bench.Measurements;

namespace NeoBuffer.Bench.Report;

/// <summary>
/// What a benchmark run prints at its end: the table of rows (the <c>idle-cpu</c> rows, if any, in a table of their
/// own), any notes on them, the target verdicts, and the JSON file (every row) if asked.
/// </summary>
internal static class SuiteReport
{
    /// <summary>
    /// One row per scenario, transport, size, participant counts and placement, in the order of the first round: a
    /// figure never mixes rounds of two placements.
    /// </summary>
    public static List<ResultRow> Rows(IReadOnlyList<Measurement> sessions) =>
        sessions.GroupBy(session => (session.Row, session.Placement)).Select(group => ResultRow.From(group.ToList())).ToList();

    public static void Print(List<ResultRow> rows, IEnumerable<string> notes, IEnumerable<string> verdicts, string targetsNote, string? jsonPath, bool participants)
    {
        ResultTable.Print(Console.Out, rows.Where(row => row.CpuPercent is null).ToList(), participants);
        Console.WriteLine();
        List<ResultRow> idle = rows.Where(row => row.CpuPercent is not null).ToList();
        if (idle.Count > 0)
        {
            IdleCpuTable.Print(Console.Out, idle);
            Console.WriteLine();
        }

        foreach (string note in notes)
        {
            Console.WriteLine(note);
        }

        Console.WriteLine($"targets (docs/design.md, \"Performance targets\"): {targetsNote}; shown is the median over the rounds of one placement, with the lowest and highest round in brackets");
        foreach (string verdict in verdicts)
        {
            Console.WriteLine(verdict);
        }

        if (jsonPath is not null)
        {
            JsonReport.Write(jsonPath, rows);
            Console.WriteLine($"wrote {rows.Count} rows to {jsonPath}");
        }
    }
}
