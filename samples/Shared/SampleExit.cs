using System;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading.Channels;
using NeoBuffer;

/// <summary>
/// How a sample's process ends, in one place (linked into every sample; each says what its codes mean in its own
/// part of this class): exit code 0 when it finished or was stopped as designed, 1 when the channel failed or could not
/// be used, 2 for a bad command line. A failing process prints exactly one line on standard error, saying what happened
/// and what to do, and never a stack trace: whatever goes wrong, the process exits by itself after its endpoint was
/// disposed (so the last one out removes the segment), never by the SIGABRT of an unhandled exception.
/// </summary>
internal static partial class SampleExit
{
    /// <summary>How to get the command line right, after a bad channel name.</summary>
    private static partial string UsageHint { get; }

    /// <summary>What to do once a channel can no longer be used: start again, and how, in this sample.</summary>
    private static partial string StartAgain { get; }

    /// <summary>Whether a closed channel's message gets <see cref="StartAgain"/> too (a pipeline restarts as a whole).</summary>
    private static partial bool ClosedMeansStartAgain { get; }

    public const int Done = 0;
    public const int Failed = 1;
    public const int Usage = 2;

    /// <summary>
    /// Runs <paramref name="body"/> and turns any exception that escapes it into one line and an exit code. Every
    /// <c>using</c> and <c>finally</c> inside it has run by then: the endpoint is detached before the line is printed.
    /// </summary>
    public static int Run(string who, Func<int> body)
    {
        // The backstop, for an exception on another thread (a thread-pool callback, a child's output handler), which
        // no catch here can see: the runtime raises this event before it prints the stack trace and aborts, and
        // exiting from it ends the process with one line and exit code 1 instead. Nothing is disposed then, but the
        // kernel drops this process's locks, so its rows count as dead and the next sweep removes a segment left alone.
        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
        {
            (_, string what) = Describe(e.ExceptionObject as Exception ?? new Exception(e.ExceptionObject?.ToString()));
            Environment.Exit(Print(Failed, $"{who}: {what}"));
        };

        try
        {
            return body();
        }
        catch (Exception error)
        {
            (int code, string what) = Describe(error);
            return Print(code, $"{who}: {what}");
        }
    }

    /// <summary>Prints <paramref name="line"/> as the one line on standard error and returns <paramref name="code"/>.</summary>
    public static int Print(int code, string line)
    {
        Console.Error.WriteLine(OneLine(line));
        return code;
    }

    /// <summary>What the library's documented exceptions mean to a user of this sample, and the exit code for each.</summary>
    public static (int Code, string What) Describe(Exception error) => error switch
    {
        // The library checks names before it touches the directory: a bad one is a bad command line.
        ArgumentException { ParamName: "name" } => (Usage, $"{WithoutParameter(error)} ({UsageHint})"),
        ChannelCorruptedException => (Failed, $"the channel is corrupted, so nothing more can be trusted from it: {error.Message} " +
                                              $"A faulty or hostile process wrote into it; stop every process using it and {StartAgain}."),
        ChannelClosedException => (Failed, ClosedMeansStartAgain ? $"{error.Message} {char.ToUpperInvariant(StartAgain[0])}{StartAgain[1..]}." : error.Message),
        ChannelFormatException => (Failed, $"{error.Message} Pick another name, or remove the file if no program of yours uses it."),
        // Not found, exists, another schema, role taken, the peer died or left, no room or no message in time: the
        // library's messages name the channel and say what to do.
        ChannelNotFoundException or ChannelExistsException or ChannelSchemaMismatchException or ChannelRoleTakenException
            or TimeoutException or MessageFormatException or RequestFailedException => (Failed, error.Message),
        // A process function's child threw, or died before it returned: the message says which and how (exit code,
        // signal), and is no directory problem, though these derive from SharedChannelException.
        ProcessFunctionException or ProcessFunctionCrashedException => (Failed, error.Message),
        System.ComponentModel.Win32Exception => (Failed, $"could not start a child process: {error.Message} (too many processes, or out of memory?)"),
        // The rest of SharedChannelException: the directory is missing, full or not allowed, or the path is a symlink.
        IOException or UnauthorizedAccessException => (Failed, $"{error.Message} Check the segment directory (NEOBUFFER_DIR, else /dev/shm)."),
        _ => (Failed, $"unexpected {error.GetType().Name}: {error.Message} This is a bug: please report it with the command you ran."),
    };

    private static string WithoutParameter(Exception error) =>
        error is ArgumentException { ParamName: string name } && error.Message.EndsWith($" (Parameter '{name}')", StringComparison.Ordinal)
            ? error.Message[..^$" (Parameter '{name}')".Length]
            : error.Message;

    /// <summary>
    /// One line, whatever the text holds: messages can quote text a peer wrote into shared memory (the reason a writer
    /// gave when it completed the channel), which must not forge extra lines, control the terminal or hide what it
    /// says. Control characters, line and paragraph separators and invisible format characters (bidirectional
    /// overrides, zero-width ones, tag characters) become spaces.
    /// </summary>
    public static string OneLine(string text) => string.Create(text.Length, text, static (span, source) =>
    {
        for (int i = 0; i < span.Length;)
        {
            // A character, or a surrogate pair as one (a lone surrogate decodes as U+FFFD, one unit long, and stays).
            Rune.DecodeFromUtf16(source.AsSpan(i), out Rune rune, out int units);
            bool hidden = Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format
                or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
            for (int end = i + units; i < end; i++)
            {
                span[i] = hidden ? ' ' : source[i];
            }
        }
    });
}
