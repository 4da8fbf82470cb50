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
    private static TextWriter s_log = TextWriter.Null;

    /// <summary>Starts a fresh report for the run about to start.</summary>
    public static void Begin() => s_log = TextWriter.Synchronized(new StringWriter());

    /// <summary>The report so far.</summary>
    public static string Text => s_log.ToString() ?? string.Empty;

    public static void WriteLine(string line) => s_log.WriteLine(line);

    public static void WriteLine(object value) => s_log.WriteLine(value);
}
