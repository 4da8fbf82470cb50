using System;
using Xunit.Abstractions;

namespace NeoBuffer.Soak.Tests;

/// <summary>What every soak test does around its run: a fresh report, the report into the test's output, and the run's verdict.</summary>
internal static class SoakRun
{
    /// <summary>Runs <paramref name="run"/> (0 when every promise was kept) and fails with its whole report otherwise.</summary>
    public static void Check(ITestOutputHelper output, Func<int> run)
    {
        SoakLog.Begin();
        int result = run();
        output.WriteLine(SoakLog.Text);
        Assert.True(result == 0, SoakLog.Text);
    }

    /// <summary>NEOBUFFER_CHAOS_SEED replays a chaos or hostile run; otherwise a fresh choice each time (printed first).</summary>
    public static int Seed() =>
        int.TryParse(Environment.GetEnvironmentVariable("NEOBUFFER_CHAOS_SEED"), out int seed) ? seed : Environment.TickCount & 0xFFFF;
}
