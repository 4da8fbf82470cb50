using System;
using System.Linq;
using System.Threading.Tasks;

namespace NeoBuffer.Samples.Tests;

/// <summary>
/// What every failing sample process must look like from outside: a documented non-zero exit code (never 128 + N, a
/// death by signal, such as 134 for the SIGABRT of an unhandled exception), exactly one line on standard error, and no
/// stack trace anywhere.
/// </summary>
internal static class CleanFailure
{
    /// <summary>Waits for <paramref name="sample"/> to exit and asserts it failed cleanly; returns its one error line.</summary>
    public static async Task<string> AssertAsync(SampleProcess sample, int expectedExitCode, TimeSpan timeout)
    {
        int exitCode = await sample.ExitCodeAsync(timeout);
        string transcript = $"{Environment.NewLine}It printed:{Environment.NewLine}{sample.Transcript}";
        Assert.False(exitCode >= 128, $"The sample died by signal {exitCode - 128} (exit code {exitCode}).{transcript}");
        Assert.True(exitCode == expectedExitCode, $"Exit code {exitCode}, expected {expectedExitCode}.{transcript}");
        Assert.DoesNotContain(sample.OutputLines.Concat(sample.ErrorLines), line => IsStackTrace(line));
        Assert.True(sample.ErrorLines.Count == 1, $"Expected exactly one line on standard error.{transcript}");
        string error = sample.ErrorLines[0];
        Assert.True(error.Length >= 20, $"The error line says too little: '{error}'.{transcript}");
        Assert.False(error.Contains("This is a bug", StringComparison.Ordinal), $"A documented failure took the unexpected-error path.{transcript}");
        return error;
    }

    public static bool IsStackTrace(string line) =>
        line.StartsWith("   at ", StringComparison.Ordinal) || line.Contains("Unhandled exception", StringComparison.Ordinal);
}
