using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace NeoBuffer.Bench.Report;

/// <summary>
/// The <c>report</c> verb's Markdown page: how it was run (command, machine, date), the result table (the console's,
/// which is already a Markdown table), the notes, the target verdicts and the chart.
/// </summary>
internal static class MarkdownReport
{
    public static void Write(string path, IEnumerable<string> header, IReadOnlyList<ResultRow> rows, IEnumerable<string> notes, IEnumerable<string> verdicts, params string[] chartPaths)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        using var page = new StreamWriter(path);
        page.WriteLine("# NeoBuffer against other transports");
        page.WriteLine();
        foreach (string line in header)
        {
            page.WriteLine($"{line}  ");
        }

        page.WriteLine();
        ResultTable.Print(page, rows.Where(row => row.CpuPercent is null).ToList(), participants: true);
        page.WriteLine();
        List<ResultRow> idle = rows.Where(row => row.CpuPercent is not null).ToList();
        if (idle.Count > 0)
        {
            IdleCpuTable.Print(page, idle);
            page.WriteLine();
        }

        foreach (string note in notes.Where(note => note.Length > 0))
        {
            page.WriteLine($"- {note}");
        }

        page.WriteLine();
        page.WriteLine("Targets (docs/design.md, \"Performance targets\"), each a ratio taken within a round; the median over the rounds of one placement, lowest and highest round in brackets:");
        page.WriteLine();
        page.WriteLine("```");
        foreach (string verdict in verdicts)
        {
            page.WriteLine(verdict.Trim());
        }

        page.WriteLine("```");
        page.WriteLine();
        foreach (string chartPath in chartPaths)
        {
            page.WriteLine($"![{Path.GetFileNameWithoutExtension(chartPath)}]({Path.GetRelativePath(directory, Path.GetFullPath(chartPath)).Replace('\\', '/')})");
            page.WriteLine();
        }
    }
}
