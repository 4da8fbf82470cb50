using System;
using System.IO;
using System.IO.MemoryMappedFiles;
using System.Threading;

using NeoBuffer.Testing;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// The hostile writer: maps the current generation's segment file read-write, as any process allowed to open it can,
/// and writes random values at random places of it: the identity header (rarely: it makes every reopen fail), the hot
/// counters (Tail, Head, ClaimTail, TailIntent, Oldest, wake words, completion), the participant table, record headers
/// (length and type at an 8-aligned place of the ring) and payload bytes. Half the values are plausible (a counter
/// nudged by a multiple of 8, a small length), since those get past the cheap checks; half are arbitrary.
/// </summary>
internal sealed unsafe class HostileWriter : IHostCommand
{
    public const string Verb = "hostile-write";

    public string Name => Verb;

    /// <summary>Runs it under the parent watch: the child ends when the run that started it does.</summary>
    public int Run(string[] args)
    {
        ParentWatch.Start();
        Corrupt(args);
        return 0;
    }

    private static readonly int[] HotCounters = [0x80, 0x84, 0x100, 0x108, 0x110, 0x180, 0x200, 0x280, 0x300, 0x304, 0x400, 0x480, 0x500, 0x580];
    private static readonly int[] SlotFields = [0x00, 0x04, 0x08, 0x0C, 0x10, 0x18, 0x40, 0x48, 0x50];
    private const int ParticipantTable = 0x800;
    private const int SlotSize = 128;

    /// <summary><c>DIRECTORY BOARD SEED</c>: corrupts until killed, one write every 0-2 ms.</summary>
    public static void Corrupt(string[] args)
    {
        string directory = args[0];
        using var board = SharedCounters.Open(args[1]);
        var random = new Random(int.Parse(args[2]));
        Console.WriteLine("ready");
        while (true)
        {
            long generation = board.Read(HostileBoard.Generation);
            string path = Path.Combine(directory, "neobuffer." + HostileBoard.ChannelName(generation));
            MemoryMappedFile file;
            long length;
            try
            {
                length = new FileInfo(path).Length;
                file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.ReadWrite);
            }
            catch (IOException)
            {
                Thread.Sleep(1); // not made yet, or already removed: look again (pacing, not synchronisation)
                continue;
            }

            using (file)
            using (MemoryMappedViewAccessor view = file.CreateViewAccessor(0, length))
            {
                byte* start = null;
                view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
                try
                {
                    byte* segment = start + view.PointerOffset;
                    while (board.Read(HostileBoard.Generation) == generation)
                    {
                        CorruptOnce(segment, length, random);
                        board.Increment(HostileBoard.HostileWrites);
                        Thread.Sleep(random.Next(3)); // pacing: the readers get some intact stretches too
                    }
                }
                finally
                {
                    view.SafeMemoryMappedViewHandle.ReleasePointer();
                }
            }
        }
    }

    private static void CorruptOnce(byte* segment, long length, Random random)
    {
        long dataOffset = length - CheckedChannel.Capacity;
        int where = random.Next(100);
        if (where < 3)
        {
            segment[random.Next(0x80)] = (byte)random.Next(256); // identity: reopening then fails
        }
        else if (where < 30)
        {
            Nudge((long*)(segment + HotCounters[random.Next(HotCounters.Length)]), random);
        }
        else if (where < 45)
        {
            int row = random.Next(9); // the producer's row and the readers'
            Nudge((long*)(segment + ParticipantTable + (row * SlotSize) + SlotFields[random.Next(SlotFields.Length)]), random);
        }
        else if (where < 75)
        {
            // A record header: Length (4) and Type (4) at an 8-aligned place of the ring.
            int* header = (int*)(segment + dataOffset + (random.NextInt64(CheckedChannel.Capacity / 8) * 8));
            header[0] = random.Next(4) switch
            {
                0 => random.Next(-64, 64),
                1 => random.Next(8, TaggedRecord.MaxLength + 64),
                2 => header[0] + (random.Next(-8, 9) * 8),
                _ => random.Next(),
            };
            header[1] = random.Next(3) switch { 0 => 1, 1 => -1, _ => random.Next() };
        }
        else
        {
            segment[dataOffset + random.NextInt64(CheckedChannel.Capacity)] = (byte)random.Next(256);
        }
    }

    /// <summary>Half the time a plausible value (the current one moved by a multiple of 8), else an arbitrary one.</summary>
    private static void Nudge(long* target, Random random) =>
        *target = random.Next(2) == 0 ? *target + (random.Next(-512, 513) * 8) : random.NextInt64(long.MinValue, long.MaxValue);
}
