using System;
using System.CommandLine;
using System.IO;
using System.Linq;

namespace NeoBuffer.Cli;

/// <summary>
/// How the tool ends: exit code 0 done, 1 the channel is not there, is refused or cannot be read, 2 a bad command line.
/// A failure is exactly one line on standard error, saying what and what to do, never a stack trace.
/// </summary>
internal static class CliExit
{
    public const int Done = 0;
    public const int Failed = 1;
    public const int Usage = 2;

    /// <summary>Parses <paramref name="args"/> and runs the verb; a parse error is a usage error.</summary>
    public static int Invoke(RootCommand root, string[] args)
    {
        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            Console.Error.WriteLine($"neobuffer: {OneLine(string.Join(" ", parsed.Errors.Select(e => e.Message)))} (see neobuffer --help)");
            return Usage;
        }

        return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
    }

    /// <summary>Runs a verb's body, turning the library's documented exceptions into one line and an exit code.</summary>
    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception error)
        {
            (int code, string what) = Describe(error);
            Console.Error.WriteLine("neobuffer: " + OneLine(what));
            return code;
        }
    }

    private static (int Code, string What) Describe(Exception error) => error switch
    {
        ArgumentException { ParamName: "name" } => (Usage, error.Message.Split(" (Parameter")[0]),
        SchemaTextException => (Failed, error.Message),
        // Not found, not a channel, truncated, corrupted, changed while read, in use: the messages say which and what to do.
        SharedChannelException or MessageFormatException => (Failed, error.Message),
        IOException or UnauthorizedAccessException => (Failed, $"{error.Message} Check the directory (--dir, NEOBUFFER_DIR, else /dev/shm)."),
        _ => (Failed, $"unexpected {error.GetType().Name}: {error.Message} This is a bug: please report it with the command you ran."),
    };

    /// <summary>Text a peer wrote may hold line breaks and control characters: one line, without them.</summary>
    public static string OneLine(string text) => new(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray());
}
