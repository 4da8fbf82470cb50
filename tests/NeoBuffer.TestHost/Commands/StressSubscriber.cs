using System;

using NeoBuffer.Testing;

namespace NeoBuffer.TestHost.Commands;

/// <summary>The child that subscribes to a broadcast channel, checks every record until the channel completes, and reports.</summary>
internal sealed class StressSubscriber : IHostCommand
{
    public const string Verb = "stress-subscribe";

    public string Name => Verb;

    /// <summary>Runs it under the parent watch: the child ends when the run that started it does.</summary>
    public int Run(string[] args)
    {
        ParentWatch.Start();
        Subscribe(args);
        return 0;
    }

    /// <summary>Exit code of a subscriber that read a record failing its checksum.</summary>
    public const int CorruptExit = 4;

    /// <summary>
    /// <c>DIRECTORY NAME COUNT tethered|lossy slow|fast</c>: subscribes from the oldest record (before the producer
    /// starts, so from record 0), reads until completion, and prints
    /// <c>lost=L reported=R duplicated=D reordered=O corrupt=C</c> with L the records of the COUNT it never got.
    /// </summary>
    public static void Subscribe(string[] args)
    {
        long count = long.Parse(args[2]);
        var options = new SharedChannelOptions
        {
            Directory = args[0],
            SubscriberMode = args[3] == "lossy" ? SubscriberMode.Lossy : SubscriberMode.Tethered,
            SubscriberStart = SubscriberStart.Oldest,
        };
        using SharedChannelReader reader = SharedChannel.OpenReader(args[1], options);
        var checker = new CheckedReader(reader, args[4] == "slow" ? new SlowPace() : null);
        Console.WriteLine("ready");
        do
        {
            checker.ReadAvailable();
        }
        while (reader.WaitToRead(StressProducer.ClaimBound));

        checker.ReadAvailable();
        SequenceTally tally = checker.Tally;
        Console.WriteLine(TallyLine.Format(
            ("lost", tally.Missing(0, 0, count)),
            ("reported", reader.LostMessages),
            ("duplicated", tally.Duplicated),
            ("reordered", tally.Reordered),
            ("corrupt", checker.Corrupt)));
        if (checker.FirstError is string error)
        {
            Console.Error.WriteLine(error);
            Environment.Exit(CorruptExit);
        }
    }
}
