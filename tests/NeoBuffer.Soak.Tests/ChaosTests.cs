using System;
using Xunit.Abstractions;

namespace NeoBuffer.Soak.Tests;

/// <summary>
/// Participants SIGKILLed at random and at named protocol points, replacements started, every record checked
/// (<see cref="ChaosRun"/>). The seed is printed first, so a failure can be replayed with the same choices.
/// </summary>
[Collection(SoakCollection.Name)]
public sealed class ChaosTests(ITestOutputHelper output)
{
    [Fact]
    public void Mpsc_survives_every_kill_without_losing_a_committed_record()
    {
        SoakLog.Begin();
        int result = ChaosRun.Run(mpsc: true, kills: SoakScale.Pick(100, 3), messages: SoakScale.Pick(20_000L, 5_000L), seed: Seed());
        output.WriteLine(SoakLog.Text);
        Assert.True(result == 0, SoakLog.Text);
    }

    [Fact]
    public void Broadcast_survives_every_kill_without_losing_a_committed_record()
    {
        SoakLog.Begin();
        int result = ChaosRun.Run(mpsc: false, kills: SoakScale.Pick(100, 3), messages: SoakScale.Pick(100_000L, 10_000L), seed: Seed());
        output.WriteLine(SoakLog.Text);
        Assert.True(result == 0, SoakLog.Text);
    }

    // NEOBUFFER_CHAOS_SEED replays a run; otherwise a fresh choice each time.
    private static int Seed() =>
        int.TryParse(Environment.GetEnvironmentVariable("NEOBUFFER_CHAOS_SEED"), out int seed) ? seed : Environment.TickCount & 0xFFFF;
}
