using System;
using System.Threading;
using NeoBuffer.Bench.Checks;
using NeoBuffer.Bench.Stress;

namespace NeoBuffer.Bench.Chaos;

/// <summary>
/// The broadcast chaos subscriber (tethered, joining at the live tail): checks every record until the channel
/// completes and prints <c>first=F last=L missing=M duplicated=D reordered=O corrupt=C</c>, M being the records from
/// its first to the producer's last it never got. In hold mode it reads HOLD_AFTER records, leases the next, prints
/// "leased" and stops there holding it, so the parent kills it in the middle of a read.
/// </summary>
internal static class ChaosSubscriber
{
    public const string Verb = "chaos-subscribe";
    public const string LeasedMarker = "leased";

    /// <summary><c>DIRECTORY NAME COUNT HOLD_AFTER</c> (HOLD_AFTER -1: never hold).</summary>
    public static void Subscribe(string[] args)
    {
        long count = long.Parse(args[2]);
        long holdAfter = long.Parse(args[3]);
        using SharedChannelReader reader = SharedChannel.OpenReader(args[1], new SharedChannelOptions { Directory = args[0] });
        var checker = new CheckedReader(reader);
        Console.WriteLine("ready");
        while (holdAfter < 0 || checker.Tally.Received < holdAfter)
        {
            checker.ReadAvailable(holdAfter < 0 ? int.MaxValue : (int)(holdAfter - checker.Tally.Received));
            if ((holdAfter < 0 || checker.Tally.Received < holdAfter) && !reader.WaitToRead(StressProducer.ClaimBound))
            {
                break;
            }
        }

        if (holdAfter >= 0)
        {
            ReadLease lease;
            while (!reader.TryRead(out lease))
            {
                reader.WaitToRead(StressProducer.ClaimBound);
            }

            Console.WriteLine(LeasedMarker);
            Thread.Sleep(Timeout.Infinite); // holds the lease: the parent kills it here
        }

        checker.ReadAvailable();
        SequenceTally tally = checker.Tally;
        long first = tally.First(0);
        Console.WriteLine(TallyLine.Format(
            ("first", first),
            ("missing", first < 0 ? count : tally.Missing(0, first, count)),
            ("duplicated", tally.Duplicated),
            ("reordered", tally.Reordered),
            ("corrupt", checker.Corrupt)));
    }
}
