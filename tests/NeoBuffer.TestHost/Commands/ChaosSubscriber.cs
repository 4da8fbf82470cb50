using System;
using System.Linq;
using System.Threading;
using System.Threading.Channels;

using NeoBuffer.Testing;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// The broadcast chaos subscriber (tethered, joining at the live tail): checks every record, counting what it received
/// on the board, until the channel completes, or is faulted (a subscriber saw the producer dead before a replacement
/// took over: the documented end, once every committed record was read), or throws a documented exception (printed as
/// "error: ..."). Then it judges what it got against what each producer generation committed (the board): from its
/// first record on, every committed record once and in order. Last line:
/// <c>generation=G first=F received=R missing=M duplicated=D reordered=O corrupt=C phantom=P end=E</c>, E being
/// <see cref="EndCompleted"/>, <see cref="EndFaulted"/> or <see cref="EndError"/>. In hold mode it reads HOLD_AFTER
/// records, leases the next, prints "leased" and stops there holding it, so the parent kills it in the middle of a read.
/// </summary>
internal sealed class ChaosSubscriber : IHostCommand
{
    public const string Verb = "chaos-subscribe";

    public string Name => Verb;

    /// <summary>Runs it under the parent watch: the child ends when the run that started it does.</summary>
    public int Run(string[] args)
    {
        ParentWatch.Start();
        Subscribe(args);
        return 0;
    }
    public const string LeasedMarker = "leased";
    public const long EndCompleted = 0;
    public const long EndFaulted = 1;
    public const long EndError = 2;

    /// <summary><c>DIRECTORY NAME BOARD INDEX HOLD_AFTER</c> (HOLD_AFTER -1: never hold).</summary>
    public static void Subscribe(string[] args)
    {
        using var board = SharedCounters.Open(args[2]);
        int index = int.Parse(args[3]);
        long holdAfter = long.Parse(args[4]);
        using SharedChannelReader reader = SharedChannel.OpenReader(args[1], new SharedChannelOptions { Directory = args[0] });
        var checker = new CheckedReader(reader);
        Console.WriteLine("ready");
        long end = EndCompleted;
        try
        {
            if (holdAfter >= 0)
            {
                Hold(reader, checker, holdAfter);
            }

            while (true)
            {
                checker.ReadAvailable(max: 256);
                board.Write(BroadcastBoard.Received(index), checker.Tally.Received);
                board.Write(BroadcastBoard.Reading(index), checker.Tally.Producers.DefaultIfEmpty(-1).Max() + 1);
                try
                {
                    if (!reader.WaitToRead(StressProducer.ClaimBound))
                    {
                        break;
                    }
                }
                catch (TimeoutException)
                {
                    Console.WriteLine($"error: no record and no end for {StressProducer.ClaimBound.TotalSeconds:0} s");
                    end = EndError;
                    break;
                }
            }
        }
        catch (ChannelClosedException)
        {
            end = EndFaulted;
        }
        catch (ChannelCorruptedException e)
        {
            Console.WriteLine($"error: {e.GetType().Name}: {e.Message}");
            end = EndError;
        }

        Report(board, checker, end);
    }

    private static void Hold(SharedChannelReader reader, CheckedReader checker, long holdAfter)
    {
        while (checker.Tally.Received < holdAfter)
        {
            checker.ReadAvailable((int)(holdAfter - checker.Tally.Received));
            if (checker.Tally.Received < holdAfter && !reader.WaitToRead(StressProducer.ClaimBound))
            {
                return;
            }
        }

        ReadLease lease;
        while (!reader.TryLease(out lease))
        {
            reader.WaitToRead(StressProducer.ClaimBound);
        }

        Console.WriteLine(LeasedMarker);
        Thread.Sleep(Timeout.Infinite); // holds the lease: the parent kills it here
    }

    /// <summary>
    /// Every record committed from this subscriber's first on must have arrived: of its first generation from its first
    /// record, of every later one from 0, up to the generation's counter (a killed generation may have committed the one
    /// record after its counter too: allowed; anything past that is a phantom).
    /// </summary>
    private static void Report(SharedCounters board, CheckedReader checker, long end)
    {
        SequenceTally tally = checker.Tally;
        long firstGeneration = -1;
        for (long generation = 0; generation < BroadcastBoard.Generations && firstGeneration < 0; generation++)
        {
            firstGeneration = tally.Distinct(generation) > 0 ? generation : -1;
        }

        long missing = 0, phantom = 0;
        for (long generation = Math.Max(0, firstGeneration); firstGeneration >= 0 && generation < BroadcastBoard.Generations; generation++)
        {
            long committed = board.Read(BroadcastBoard.Committed(generation));
            long from = generation == firstGeneration ? tally.First(generation) : 0;
            missing += tally.Missing(generation, from, committed);
            long inRange = Math.Max(0, committed + 1 - from) - tally.Missing(generation, from, committed + 1);
            phantom += tally.Distinct(generation) - inRange;
        }

        Console.WriteLine(TallyLine.Format(
            ("generation", firstGeneration),
            ("first", firstGeneration < 0 ? -1 : tally.First(firstGeneration)),
            ("received", tally.Received),
            ("missing", missing),
            ("duplicated", tally.Duplicated),
            ("reordered", tally.Reordered),
            ("corrupt", checker.Corrupt),
            ("phantom", phantom),
            ("end", end)));
    }
}
