using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using NeoBuffer.Testing;
using NeoBuffer.TestHost.Commands;

namespace NeoBuffer.Soak.Tests;

/// <summary>
/// The hostile run: a producer process, four reader processes (two lossy, two tethered) and a hostile writer
/// process that corrupts the segment they share, for T seconds. Readers must either read intact records or get a
/// documented exception, and then may reopen. A participant that exits by itself crashed (an undocumented exception,
/// or a signal such as SIGSEGV); one whose heartbeat stops for <see cref="HangBound"/> hung (every wait it makes is at
/// most 1 s, an open at most about 2 s). Either is counted, reported and replaced. Last line:
/// <c>reads=N errors=E crashes=C hangs=H</c>; exit 1 on any crash or hang, or when nothing was read. A hang is reported
/// with the call the participant's heartbeat names (its phase) and its managed stacks (<see cref="ManagedStack"/>).
/// </summary>
internal static class HostileRun
{
    /// <summary>The stated bound: a participant whose heartbeat is older than this is hung.</summary>
    public static readonly TimeSpan HangBound = TimeSpan.FromSeconds(5);

    private const int Readers = 4;

    /// <summary>One run of <paramref name="seconds"/>; <paramref name="seed"/> replays the hostile writer's choices.</summary>
    public static int Run(long seconds, int seed)
    {
        SoakLog.WriteLine($"hostile: 1 producer, {Readers} readers (2 lossy, 2 tethered) and 1 hostile writer process on one broadcast segment for {seconds} s; seed {seed}; hang bound {HangBound.TotalSeconds:0} s");

        using var scratch = new ScratchDirectory();
        string boardPath = Path.Combine(scratch.Path, "board");
        using var board = SharedCounters.Create(boardPath, HostileBoard.Size);
        var participants = new ChildProcess?[Readers + 1];
        var readyAt = new long[Readers + 1];
        ChildProcess? hostile = null;
        int crashes = 0, hangs = 0;
        var firstFailures = new List<string>();
        try
        {
            for (int i = 0; i < participants.Length; i++)
            {
                participants[i] = StartParticipant(scratch.Path, boardPath, i, board);
                readyAt[i] = Environment.TickCount64;
            }

            hostile = ChildProcess.StartReady(HostileWriter.Verb, scratch.Path, boardPath, seed);
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                Thread.Sleep(100); // the parent only watches; the children coordinate through the channel and the board
                for (int i = 0; i < participants.Length; i++)
                {
                    ChildProcess child = participants[i]!;
                    // Silent since its last heartbeat, or since it became ready if it has not beaten since: a start
                    // (the .NET start-up of a child) can take seconds on a loaded machine, and is no hang.
                    long silentMs = Environment.TickCount64 - Math.Max(board.Read(HostileBoard.Slot(i, HostileBoard.Heartbeat)), readyAt[i]);
                    string who = i == 0 ? "producer" : $"reader {i}";
                    if (child.HasExited)
                    {
                        crashes++;
                        child.WaitExit(TimeSpan.Zero);
                        Record(firstFailures, $"{who} (pid {child.Id}) crashed with exit code {child.ExitCode}, last in {HostileBoard.Where(board, i)}: {FirstLines(child.ErrorOutput)}");
                    }
                    else if (silentMs > HangBound.TotalMilliseconds)
                    {
                        // Where it hung: the call its heartbeat names, then its managed stacks, taken before the kill.
                        hangs++;
                        string hang = $"{who} (pid {child.Id}) hung in {HostileBoard.Where(board, i)}: no heartbeat for {silentMs} ms (the producer is at generation {board.Read(HostileBoard.Generation)})";
                        string stack = ManagedStack.Of(child.Id);
                        SoakLog.WriteLine($"  {hang}{Environment.NewLine}{stack}");
                        Record(firstFailures, $"{hang}{Environment.NewLine}{stack}");
                        child.Kill();
                    }
                    else
                    {
                        continue;
                    }

                    child.Dispose();
                    participants[i] = StartParticipant(scratch.Path, boardPath, i, board);
                    readyAt[i] = Environment.TickCount64;
                }

                if (hostile.HasExited)
                {
                    throw new InvalidOperationException($"The hostile writer failed.{Environment.NewLine}{hostile.ErrorOutput}");
                }
            }
        }
        finally
        {
            hostile?.Dispose();
            Array.ForEach(participants, child => child?.Dispose());
        }

        long reads = Enumerable.Range(1, Readers).Sum(i => board.Read(HostileBoard.Slot(i, HostileBoard.Reads)));
        long badChecksums = Enumerable.Range(1, Readers).Sum(i => board.Read(HostileBoard.Slot(i, HostileBoard.BadChecksums)));
        long exceptions = Enumerable.Range(0, Readers + 1).Sum(i => board.Read(HostileBoard.Slot(i, HostileBoard.Errors)));
        SoakLog.WriteLine($"hostile writes {board.Read(HostileBoard.HostileWrites)}; channel generations {board.Read(HostileBoard.Generation)}; records written {board.Read(HostileBoard.Slot(0, HostileBoard.Reads))}");
        SoakLog.WriteLine($"errors: {badChecksums} records with a bad checksum (payload bytes the hostile writer changed: no channel can see those), and documented exceptions:");
        for (int kind = 0; kind < HostileBoard.ErrorKinds.Length; kind++)
        {
            SoakLog.WriteLine($"  {HostileBoard.ErrorKinds[kind].Name}: {board.Read(HostileBoard.KindSlot(kind))}");
        }

        firstFailures.ForEach(SoakLog.WriteLine);
        SoakLog.WriteLine($"reads={reads} errors={exceptions + badChecksums} crashes={crashes} hangs={hangs}");
        return crashes == 0 && hangs == 0 && reads > 0 ? 0 : 1;
    }

    private static ChildProcess StartParticipant(string directory, string boardPath, int index, SharedCounters board)
    {
        HostileBoard.Beat(board, index, HostileBoard.Starting, board.Read(HostileBoard.Generation)); // its phase until it beats itself
        return index == 0
            ? ChildProcess.StartReady(HostileProducer.Verb, directory, boardPath)
            : ChildProcess.StartReady(HostileReader.Verb, directory, boardPath, index, index % 2 == 0 ? "lossy" : "tethered");
    }

    private static void Record(List<string> failures, string failure)
    {
        if (failures.Count < 5)
        {
            failures.Add(failure);
        }
    }

    private static string FirstLines(string text) => string.Join(" | ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Take(3));
}
