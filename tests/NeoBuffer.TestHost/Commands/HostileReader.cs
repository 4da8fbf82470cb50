using System;

using NeoBuffer.Testing;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// A reader of the hostile run: subscribes to the current generation (lossy or tethered), reads and checks records,
/// and on a documented exception, a completed channel or a newer generation, reopens. Anything undocumented is left
/// unhandled, so it ends the process: the parent counts that as a crash. A heartbeat before every call into the
/// channel, naming the call (<see cref="HostileBoard.Beat"/>), lets the parent see a call that never returns, and which.
/// </summary>
internal sealed class HostileReader : IHostCommand
{
    public const string Verb = "hostile-read";

    public string Name => Verb;

    /// <summary>Runs it under the parent watch: the child ends when the run that started it does.</summary>
    public int Run(string[] args)
    {
        ParentWatch.Start();
        Read(args);
        return 0;
    }

    /// <summary>How long one wait for a record may last; the parent's hang bound is well above it.</summary>
    public static readonly TimeSpan WaitSlice = TimeSpan.FromSeconds(1);

    /// <summary><c>DIRECTORY BOARD PARTICIPANT lossy|tethered</c>.</summary>
    public static void Read(string[] args)
    {
        string directory = args[0];
        using var board = SharedCounters.Open(args[1]);
        int me = int.Parse(args[2]);
        var options = new SharedChannelOptions
        {
            Directory = directory,
            SubscriberMode = args[3] == "lossy" ? SubscriberMode.Lossy : SubscriberMode.Tethered,
        };
        Console.WriteLine("ready");
        while (true)
        {
            long generation = board.Read(HostileBoard.Generation);
            HostileBoard.Beat(board, me, HostileBoard.Opening, generation);
            try
            {
                SharedChannelReader reader = SharedChannel.OpenReader(HostileBoard.ChannelName(generation), options);
                try
                {
                    ReadGeneration(reader, board, me, generation);
                }
                finally
                {
                    HostileBoard.Beat(board, me, HostileBoard.DisposingReader, generation);
                    reader.Dispose();
                }
            }
            catch (Exception error) when (HostileBoard.CountDocumented(board, me, error))
            {
                // Documented: reopen (the same generation, or the next one once the producer moved on).
            }
        }
    }

    private static void ReadGeneration(SharedChannelReader reader, SharedCounters board, int me, long generation)
    {
        var checker = new CheckedReader(reader);
        long corrupt = 0;
        while (board.Read(HostileBoard.Generation) == generation)
        {
            HostileBoard.Beat(board, me, HostileBoard.Reading, generation);
            long before = checker.Tally.Received;
            checker.ReadAvailable(max: 256);
            board.Write(HostileBoard.Slot(me, HostileBoard.Reads), board.Read(HostileBoard.Slot(me, HostileBoard.Reads)) + checker.Tally.Received - before);
            if (checker.Corrupt != corrupt)
            {
                // A payload byte the hostile writer changed: the channel cannot know, the checksum does.
                board.Write(HostileBoard.Slot(me, HostileBoard.BadChecksums), board.Read(HostileBoard.Slot(me, HostileBoard.BadChecksums)) + checker.Corrupt - corrupt);
                corrupt = checker.Corrupt;
            }

            HostileBoard.Beat(board, me, HostileBoard.Waiting, generation);
            if (!checker.WaitForRecord(WaitSlice) && reader.Completion.IsCompleted)
            {
                return;
            }
        }
    }
}
