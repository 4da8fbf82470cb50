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
    public void Mpsc_survives_every_kill_without_losing_a_committed_record() =>
        SoakRun.Check(output, () => ChaosRun.Run(mpsc: true, kills: SoakScale.Pick(100, 3), messages: SoakScale.Pick(20_000L, 5_000L), seed: SoakRun.Seed()));

    [Fact]
    public void Broadcast_survives_every_kill_without_losing_a_committed_record() =>
        SoakRun.Check(output, () => ChaosRun.Run(mpsc: false, kills: SoakScale.Pick(100, 3), messages: SoakScale.Pick(100_000L, 10_000L), seed: SoakRun.Seed()));
}
