using System;
using System.Threading;

using NeoBuffer.Testing;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// The MPSC chaos producer: writes its tagged records and, after each commit, stores how many it has committed in its
/// counter, so after a SIGKILL the parent knows exactly what it committed (give or take the one record between the
/// commit and the counter store). In hold mode it claims one more record, fills it, prints "claimed" and stops there,
/// so the parent kills it between claim and commit. Started with NEOBUFFER_KILL_AT, the runtime kills it at a point of
/// its claim instead. It waits for room however long the consumer is dead (WriterFailsWhenReaderDies off): the
/// harness kills and restarts the consumer too, and a new consumer resumes where the dead one stopped.
/// </summary>
internal sealed class ChaosProducer : IHostCommand
{
    public const string Verb = "chaos-produce";

    public string Name => Verb;

    /// <summary>Runs it under the parent watch: the child ends when the run that started it does.</summary>
    public int Run(string[] args)
    {
        ParentWatch.Start();
        Produce(args);
        return 0;
    }
    public const string ClaimedMarker = "claimed";

    /// <summary><c>DIRECTORY NAME BOARD PRODUCER COUNT HOLD_AFTER</c> (HOLD_AFTER -1: never hold).</summary>
    public static void Produce(string[] args)
    {
        int producer = int.Parse(args[3]);
        long count = long.Parse(args[4]);
        long holdAfter = long.Parse(args[5]);
        using var counters = SharedCounters.Open(args[2]);
        using SharedChannelWriter writer = SharedChannel.OpenWriter(args[1], new SharedChannelOptions { Directory = args[0], WriterFailsWhenReaderDies = false });
        Console.WriteLine("ready");
        for (long sequence = 0; sequence < count; sequence++)
        {
            WriteClaim claim = writer.Claim(TaggedRecord.LengthOf(producer, sequence), StressProducer.ClaimBound);
            TaggedRecord.Fill(claim.Payload, producer, sequence);
            if (sequence == holdAfter)
            {
                Console.WriteLine(ClaimedMarker);
                Thread.Sleep(Timeout.Infinite); // never commits: the parent kills it here
            }

            claim.Commit();
            counters.Write(MpscBoard.Committed(producer), sequence + 1);
        }
    }
}
