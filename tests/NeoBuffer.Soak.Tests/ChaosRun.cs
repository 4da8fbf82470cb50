using System;
using NeoBuffer.Testing;
using NeoBuffer.TestHost.Commands;

namespace NeoBuffer.Soak.Tests;

/// <summary>
/// The chaos run: SIGKILLs participants K times, each kill drawn at random among the untargeted kinds (a
/// running participant, one between claim and commit, one holding a read lease) and the named protocol points
/// (<see cref="NeoBuffer.Ring.ProtocolPoint"/>, where the runtime kills a child started with NEOBUFFER_KILL_AT), so
/// every recovery path runs on purpose; restarts a replacement each time, and checks every record. Prints the kills by
/// kind, then <c>survived=S/K lost-committed=L hung=H</c>; exit 1 unless every kill was survived, nothing committed
/// was lost, nothing hung and nothing was duplicated, reordered or corrupt.
/// </summary>
internal static class ChaosRun
{
    /// <summary>
    /// The stated bound: after a kill, the channel must go on (a replacement's record arrives, the producer writes
    /// again) within it, and no wait for a kill point may take longer. Liveness is detected in about 100 ms; the rest
    /// is headroom for a loaded 2-CPU machine.
    /// </summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    /// <summary>One run of <paramref name="kills"/> kills; <paramref name="seed"/> replays the choice of kinds and points.</summary>
    public static int Run(bool mpsc, int kills, long messages, int seed)
    {
        SoakLog.WriteLine(mpsc
            ? $"chaos mpsc: a consumer process and 2 producer processes of {messages} records each (and a replacement of as many per kill); {kills} kills; seed {seed}; bound {Bound.TotalSeconds:0} s"
            : $"chaos broadcast: a producer process (a standby generation ready to take over) writes {messages} records per channel to 3 tethered subscriber processes (and a replacement per kill); {kills} kills; seed {seed}; bound {Bound.TotalSeconds:0} s");
        using var scratch = new ScratchDirectory();
        var random = new Random(seed);
        var started = System.Diagnostics.Stopwatch.StartNew();
        ChaosOutcome outcome = mpsc
            ? MpscChaos.Run(scratch.Path, kills, messages, random)
            : BroadcastChaos.Run(scratch.Path, kills, messages, random);
        outcome.PrintKinds();
        SoakLog.WriteLine($"took {started.Elapsed.TotalSeconds:0.0} s; duplicated, reordered, corrupt or phantom records and failed participants: {outcome.Broken}");
        SoakLog.WriteLine(outcome);
        return outcome.Kept ? 0 : 1;
    }
}
