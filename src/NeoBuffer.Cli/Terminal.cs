using System;
using Spectre.Console;

namespace NeoBuffer.Cli;

/// <summary>
/// Where tables go: a terminal gets colour and borders (no colour when NO_COLOR is set); anything else (a pipe, a file)
/// gets plain text without escape codes or borders, wide enough that no column wraps.
/// </summary>
internal static class Terminal
{
    public static bool IsInteractive => !Console.IsOutputRedirected;

    public static bool NoColor => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));

    public static IAnsiConsole Create()
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = IsInteractive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = NoColor || !IsInteractive ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = IsInteractive ? InteractionSupport.Detect : InteractionSupport.No,
            Out = new AnsiConsoleOutput(Console.Out),
        });
        if (!IsInteractive)
        {
            console.Profile.Width = 400;
        }

        return console;
    }

    /// <summary>A table styled for <see cref="IsInteractive"/>: rounded borders on a terminal, none elsewhere.</summary>
    public static Table NewTable(params string[] columns)
    {
        var table = new Table { Border = IsInteractive ? TableBorder.Rounded : TableBorder.None };
        foreach (string column in columns)
        {
            table.AddColumn(new TableColumn(column) { NoWrap = !IsInteractive });
        }

        return table;
    }

    /// <summary>A section heading: a rule across a terminal, a plain line elsewhere.</summary>
    public static void Heading(IAnsiConsole console, string text)
    {
        if (IsInteractive)
        {
            console.Write(new Rule(Cell(text)) { Justification = Justify.Left });
        }
        else
        {
            console.WriteLine($"== {CliExit.OneLine(text)} ==");
        }
    }

    /// <summary>Text for a table cell: markup characters a channel name or a peer's text may hold are escaped.</summary>
    public static string Cell(string text) => Markup.Escape(CliExit.OneLine(text));
}
