using System;
using System.Threading;
using System.Threading.Channels;

using NeoBuffer.Testing;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// The broadcast chaos producer, generation G: writes tagged records (producer id G) until the episode's records are
/// written, storing after each commit how many it has committed, then completes the channel. The first generation
/// creates the channel; every later one starts in advance as a standby, ready, and opens the writer the moment the
/// parent says go (the parent does once the previous generation died), so it takes over before the subscribers notice
/// the dead writer, or finds the channel faulted by one that did: then it says "closed" and exits.
/// </summary>
internal sealed class ChaosBroadcaster : IHostCommand
{
    public const string Verb = "chaos-broadcast";

    public string Name => Verb;

    /// <summary>Runs it under the parent watch: the child ends when the run that started it does.</summary>
    public int Run(string[] args)
    {
        ParentWatch.Start();
        Produce(args);
        return 0;
    }
    public const string ClosedMarker = "closed";

    /// <summary>
    /// One claim's wait: long enough for the wait to check its peers (after a quiet 100 ms slice) and so free a dead
    /// tethered subscriber's row; each that times out counts as held back, which tells the parent the ring is full.
    /// </summary>
    private static readonly TimeSpan ClaimSlice = TimeSpan.FromMilliseconds(250);

    /// <summary><c>DIRECTORY NAME BOARD GENERATION RECORDS create|standby</c>.</summary>
    public static void Produce(string[] args)
    {
        string directory = args[0];
        using var board = SharedCounters.Open(args[2]);
        int generation = int.Parse(args[3]);
        long records = long.Parse(args[4]);
        SharedChannelWriter writer;
        if (args[5] == "create")
        {
            SharedChannelOptions options = CheckedChannel.Options(directory, ChannelTopology.Broadcast, CheckedChannel.MaxParticipants);
            options.KeepSegment = true; // the channel outlives a killed producer even while no subscriber is attached
            writer = SharedChannel.CreateWriter(args[1], options);
            Console.WriteLine("ready");
        }
        else
        {
            WarmUp(directory);
            Console.WriteLine("ready");
            ParentWatch.WaitForGo();
            try
            {
                writer = SharedChannel.OpenWriter(args[1], new SharedChannelOptions { Directory = directory });
            }
            catch (ChannelClosedException e)
            {
                Closed(board, e);
                return;
            }
        }

        using (writer)
        {
            try
            {
                Write(writer, board, generation, BroadcastBoard.CommittedUpTo(board, generation - 1), records);
                writer.Complete();
            }
            catch (ChannelClosedException e)
            {
                Closed(board, e);
            }
        }
    }

    /// <summary>
    /// Runs the writer's paths once on a channel of its own: compiled beforehand, the takeover takes milliseconds, well
    /// within the 100 ms after which a subscriber looks at the dead writer's row and faults the channel.
    /// </summary>
    private static void WarmUp(string directory)
    {
        string name = $"chaos-warm-{Environment.ProcessId}";
        using (SharedChannelWriter writer = SharedChannel.CreateWriter(name, CheckedChannel.Options(directory, ChannelTopology.Broadcast, CheckedChannel.MaxParticipants)))
        {
            WriteClaim claim = writer.Claim(TaggedRecord.LengthOf(0, 0), ClaimSlice);
            TaggedRecord.Fill(claim.Payload, 0, 0);
            claim.Commit();
        }
    }

    private static void Write(SharedChannelWriter writer, SharedCounters board, int generation, long before, long records)
    {
        for (long sequence = 0; before + sequence < records; sequence++)
        {
            while (before + sequence >= board.Read(BroadcastBoard.Allowed))
            {
                Thread.Sleep(1); // paced by the parent (see BroadcastBoard.Allowed); outside any call into the channel
            }

            long deadline = Environment.TickCount64 + (long)CheckedChannel.FinishBound.TotalMilliseconds;
            WriteClaim claim;
            while (true)
            {
                try
                {
                    claim = writer.Claim(TaggedRecord.LengthOf(generation, sequence), ClaimSlice);
                    break;
                }
                catch (TimeoutException) when (Environment.TickCount64 < deadline)
                {
                    board.Increment(BroadcastBoard.HeldBack); // the ring is full behind a tethered subscriber
                }
            }

            TaggedRecord.Fill(claim.Payload, generation, sequence);
            claim.Commit();
            board.Write(BroadcastBoard.Committed(generation), sequence + 1);
        }
    }

    private static void Closed(SharedCounters board, ChannelClosedException e)
    {
        board.Write(BroadcastBoard.Closed, 1);
        Console.WriteLine($"{ClosedMarker}: {e.Message}");
    }
}
