using Xunit.Abstractions;

namespace NeoBuffer.Soak.Tests;

/// <summary>
/// A hostile process scribbling on a shared segment while a producer and four readers use it: every reader either
/// reads intact records or gets a documented exception; nothing crashes or hangs (<see cref="HostileRun"/>).
/// </summary>
[Collection(SoakCollection.Name)]
public sealed class HostileTests(ITestOutputHelper output)
{
    [Fact]
    public void No_participant_crashes_or_hangs_while_a_peer_corrupts_the_segment() =>
        SoakRun.Check(output, () => HostileRun.Run(seconds: SoakScale.Pick(60L, 3L), SoakRun.Seed()));
}
