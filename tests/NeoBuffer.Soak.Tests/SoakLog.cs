using System;
using System.IO;

namespace NeoBuffer.Soak.Tests;

/// <summary>
/// Where a soak run writes its report (kills, tallies, failures) while it runs: one test's, since the runs of this
/// assembly never overlap (<see cref="SoakCollection"/>). The test hands it to xunit's output when the run ends, so a
/// failure shows the whole report.
/// </summary>
internal static class SoakLog
{
    private static StringWriter s_report = new();
    private static TextWriter s_log = TextWriter.Null;

    /// <summary>Starts a fresh report for the run about to start.</summary>
    public static void Begin()
    {
        s_report = new StringWriter();
        s_log = TextWriter.Synchronized(s_report);
    }

    /// <summary>
    /// The report so far. Read from the report itself: the synchronized wrapper's ToString is its type's name, which is
    /// all a failing run used to report. Under the wrapper's lock (it locks on itself), so no line is read half-written.
    /// </summary>
    public static string Text
    {
        get
        {
            lock (s_log)
            {
                return s_report.ToString();
            }
        }
    }

    public static void WriteLine(string line) => s_log.WriteLine(line);

    public static void WriteLine(object value) => s_log.WriteLine(value);
}
