using System;
using System.IO;

using NeoBuffer.Testing;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// The producer of the hostile run: creates broadcast channel generation 1, 2, ... in turn and writes tagged records
/// into each. It moves to a fresh generation after <see cref="RecordsPerGeneration"/> records, when the channel throws
/// a documented exception, or when it could not write for a second (a corrupted subscriber row may hold it back), so
/// the run goes on however badly the hostile writer damaged the current one.
/// </summary>
internal sealed class HostileProducer : IHostCommand
{
    public const string Verb = "hostile-produce";

    public string Name => Verb;

    /// <summary>Runs it under the parent watch: the child ends when the run that started it does.</summary>
    public int Run(string[] args)
    {
        ParentWatch.Start();
        Produce(args);
        return 0;
    }

    private const int RecordsPerGeneration = 50_000;

    /// <summary><c>DIRECTORY BOARD</c>.</summary>
    public static void Produce(string[] args)
    {
        string directory = args[0];
        using var board = SharedCounters.Open(args[1]);
        Console.WriteLine("ready");
        for (long generation = board.Read(HostileBoard.Generation) + 1; ; generation++)
        {
            HostileBoard.Beat(board, 0, HostileBoard.Creating, generation);
            SharedChannelWriter writer;
            try
            {
                writer = SharedChannel.CreateWriter(HostileBoard.ChannelName(generation), new SharedChannelOptions
                {
                    Directory = directory,
                    Topology = ChannelTopology.Broadcast,
                    Capacity = CheckedChannel.Capacity,
                    MaxMessageSize = TaggedRecord.MaxLength,
                    MaxSubscribers = 8,
                });
            }
            catch (ChannelExistsException)
            {
                continue; // a generation this producer's predecessor made
            }

            board.Write(HostileBoard.Generation, generation);
            try
            {
                WriteGeneration(writer, board, generation);
            }
            finally
            {
                HostileBoard.Beat(board, 0, HostileBoard.DisposingWriter, generation);
                writer.Dispose();
            }

            // A damaged channel may never be removed by its last participant (its attach count may be garbage): the
            // harness removes the one before last itself, so a long run does not fill /dev/shm.
            HostileBoard.Beat(board, 0, HostileBoard.Deleting, generation);
            File.Delete(Path.Combine(directory, "neobuffer." + HostileBoard.ChannelName(generation - 2)));
        }
    }

    private static void WriteGeneration(SharedChannelWriter writer, SharedCounters board, long generation)
    {
        try
        {
            for (long sequence = 0; sequence < RecordsPerGeneration; sequence++)
            {
                HostileBoard.Beat(board, 0, HostileBoard.Claiming, generation);
                WriteClaim claim = writer.Claim(TaggedRecord.LengthOf(0, sequence), TimeSpan.FromSeconds(1));
                TaggedRecord.Fill(claim.Payload, 0, sequence);
                HostileBoard.Beat(board, 0, HostileBoard.Committing, generation);
                claim.Commit();
                board.Increment(HostileBoard.Slot(0, HostileBoard.Reads));
            }

            HostileBoard.Beat(board, 0, HostileBoard.Completing, generation);
            writer.TryComplete();
        }
        catch (TimeoutException)
        {
            HostileBoard.Beat(board, 0, HostileBoard.Completing, generation);
            writer.TryComplete(); // held back for a second: start afresh
        }
        catch (Exception error) when (HostileBoard.CountDocumented(board, 0, error))
        {
            // The documented answer to a damaged channel: leave it for a new one.
        }
    }
}
