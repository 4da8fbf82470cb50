using System;
using NeoBuffer.Bench.Harness;

namespace NeoBuffer.Bench.Chaos;

/// <summary>
/// The <c>chaos</c> verb: SIGKILLs participants K times, each kill drawn at random among the untargeted kinds (a
/// running participant, one between claim and commit, one holding a read lease) and the named protocol points
/// (<see cref="NeoBuffer.Ring.ProtocolPoint"/>, where the runtime kills a child started with NEOBUFFER_KILL_AT), so
/// every recovery path runs on purpose; restarts a replacement each time, and checks every record. Prints the kills by
/// kind, then <c>survived=S/K lost-committed=L hung=H</c>; exit 1 unless every kill was survived, nothing committed
/// was lost, nothing hung and nothing was duplicated, reordered or corrupt.
/// </summary>
internal static class ChaosRun
{
    public const string Usage = "chaos --topology mpsc|broadcast --kills K [--messages N] [--seed S]";

    /// <summary>Rows for producers or subscribers: every replacement takes a new one.</summary>
    public const int MaxParticipants = 256;

    /// <summary>
    /// The stated bound: after a kill, the channel must go on (a replacement's record arrives, the producer writes
    /// again) within it, and no wait for a kill point may take longer. Liveness is detected in about 100 ms; the rest
    /// is headroom for a loaded 2-CPU machine.
    /// </summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    /// <summary>How long the survivors may take to finish their records and report at the end.</summary>
    public static readonly TimeSpan FinishBound = TimeSpan.FromSeconds(60);

    public static int Run(string[] args)
    {
        VerbOptions options = VerbOptions.Parse(args, [], ["--topology", "--kills", "--messages", "--seed"]);
        bool mpsc = options.Choice("--topology", "mpsc", "broadcast") == "mpsc";
        int kills = (int)options.Number("--kills", fallback: 0);
        if (kills == 0)
        {
            throw new UsageException("--kills is required");
        }

        long messages = options.Number("--messages", fallback: mpsc ? 20_000 : 100_000);
        int seed = (int)options.Number("--seed", fallback: Environment.TickCount & 0xFFFF, min: 0);
        Console.WriteLine(mpsc
            ? $"chaos mpsc: a consumer process and 2 producer processes of {messages} records each (and a replacement of as many per kill); {kills} kills; seed {seed}; bound {Bound.TotalSeconds:0} s"
            : $"chaos broadcast: a producer process (a standby generation ready to take over) writes {messages} records per channel to 3 tethered subscriber processes (and a replacement per kill); {kills} kills; seed {seed}; bound {Bound.TotalSeconds:0} s");
        using var scratch = new ScratchDirectory();
        var random = new Random(seed);
        var started = System.Diagnostics.Stopwatch.StartNew();
        ChaosOutcome outcome = mpsc
            ? MpscChaos.Run(scratch.Path, kills, messages, random)
            : BroadcastChaos.Run(scratch.Path, kills, messages, random);
        outcome.PrintKinds();
        Console.WriteLine($"took {started.Elapsed.TotalSeconds:0.0} s; duplicated, reordered, corrupt or phantom records and failed participants: {outcome.Broken}");
        Console.WriteLine(outcome);
        return outcome.Kept ? 0 : 1;
    }
}
