using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Bench.Harness;
using NeoBuffer.Bench.Measurements;

using NeoBuffer.Testing;

namespace NeoBuffer.Bench.Transports;

/// <summary>
/// Parked readers left idle, and what they cost. This process is the one writer, of three channels: a broadcast channel
/// with four tethered subscriber processes (two in <c>WaitToRead</c>, one in <c>WaitToReadAsync</c>, one in
/// <c>ReadAllAsync</c>) and two SPSC channels with one reader process each (one in <c>WaitToRead</c>, one in
/// <c>ReadAllAsync</c>); every reader has <c>SpinCount</c> = 0. Once all say "ready", a warm-up message goes to each
/// channel; each reader reads it (so the wait and wake paths are compiled and run before the window, not in it), says
/// "waiting" and waits again. Then, for the idle window, nothing is written, and each reader's CPU time and wake-ups are
/// read from /proc before and after. Last, a final message goes to each channel, and each reader must print the
/// checksum of both messages: it was parked and alive, not dead.
/// </summary>
internal static class IdleReaders
{
    public const string ReaderVerb = "idle-reader";

    private const string WaitingLine = "waiting";
    private const int Messages = 2; // the warm-up message, then the final one

    private static readonly (ChannelTopology Topology, ReadApi Api)[] s_readers =
    [
        (ChannelTopology.Broadcast, ReadApi.WaitToRead),
        (ChannelTopology.Broadcast, ReadApi.WaitToRead),
        (ChannelTopology.Broadcast, ReadApi.WaitToReadAsync),
        (ChannelTopology.Broadcast, ReadApi.ReadAllAsync),
        (ChannelTopology.SingleProducerSingleConsumer, ReadApi.WaitToRead),
        (ChannelTopology.SingleProducerSingleConsumer, ReadApi.ReadAllAsync),
    ];

    /// <summary>What the run prints about the readers before it starts.</summary>
    public static string Description =>
        $"this process writes to 1 broadcast channel ({ReadersOf(ChannelTopology.Broadcast)} tethered subscriber processes) and {s_readers.Count(r => r.Topology != ChannelTopology.Broadcast)} SPSC channels (1 reader process each); " +
        $"readers: {string.Join(", ", s_readers.Select(r => Describe(r.Topology, r.Api)))}; SpinCount 0";

    public static List<IdleReaderResult> Measure(BenchRun run, int messageBytes)
    {
        var writers = new List<SharedChannelWriter>();
        var children = new List<ChildProcess>();
        try
        {
            var argumentLists = new List<object[]>();
            string? broadcastName = null;
            foreach ((ChannelTopology topology, ReadApi api) in s_readers)
            {
                string name;
                if (topology == ChannelTopology.Broadcast && broadcastName is not null)
                {
                    name = broadcastName;
                }
                else
                {
                    name = run.NextName(topology == ChannelTopology.Broadcast ? "idle-bcast" : "idle-spsc");
                    writers.Add(SharedChannel.CreateWriter(name, new SharedChannelOptions { Directory = run.Directory, Topology = topology }));
                    broadcastName = topology == ChannelTopology.Broadcast ? name : broadcastName;
                }

                argumentLists.Add([run.Directory, name, api]);
            }

            // Every subscriber joins (live) before the warm-up message is written, so each sees both messages.
            children.AddRange(BenchChildren.StartAll(ReaderVerb, argumentLists));

            var source = new MessageSource(messageBytes);
            WriteToAll(writers, source, sequence: 0);
            foreach (ChildProcess child in children)
            {
                if (!child.WaitForLine(WaitingLine, BenchRun.ChildTimeout))
                {
                    child.ThrowIfExited();
                    throw new TimeoutException($"The idle reader {child.Id} did not read the warm-up message within {BenchRun.ChildTimeout}.");
                }
            }

            ProcessUsage[] before = children.Select(child => ProcessUsage.Read(child.Id)).ToArray();
            var wall = Stopwatch.StartNew();

            // Not a synchronisation: the idle window is what is measured, and nothing may happen in it.
            Thread.Sleep(run.Plan.IdleWindow);

            ProcessUsage[] after = children.Select(child => ProcessUsage.Read(child.Id)).ToArray();
            double wallSeconds = wall.Elapsed.TotalSeconds;

            WriteToAll(writers, source, sequence: 1);
            string expected = ReceivedLine(ExpectedCheck(source));
            var results = new List<IdleReaderResult>();
            for (int i = 0; i < children.Count; i++)
            {
                ChildProcess child = children[i];
                child.WaitSuccess(BenchRun.ChildTimeout);
                (ChannelTopology topology, ReadApi api) = s_readers[i];
                results.Add(new IdleReaderResult(
                    Describe(topology, api),
                    ReadersOf(topology),
                    child.Id,
                    wallSeconds,
                    after[i].CpuSecondsSince(before[i]),
                    after[i].WakeupsByThreadSince(before[i]),
                    child.LastLine == expected));
            }

            return results;
        }
        finally
        {
            children.ForEach(child => child.Dispose());
            writers.ForEach(writer => writer.Dispose());
        }
    }

    /// <summary>
    /// The child: <c>DIRECTORY NAME API</c>; reads two messages with <c>SpinCount</c> = 0, waiting in API, says "waiting"
    /// after the first, and prints the count and checksum of what it read.
    /// </summary>
    public static void Read(string[] args)
    {
        var api = Enum.Parse<ReadApi>(args[2]);
        using SharedChannelReader reader = SharedChannel.OpenReader(args[1], new SharedChannelOptions { Directory = args[0], SpinCount = 0 });
        var check = new MessageCheck();
        Console.WriteLine("ready");
        if (api == ReadApi.WaitToRead)
        {
            while (check.Received < Messages)
            {
                if (!TryAccept(reader, check) && !reader.WaitToRead(BenchRun.ChildTimeout))
                {
                    throw new InvalidOperationException("The channel completed before both messages were written.");
                }
            }
        }
        else
        {
            // The main thread blocks on the task (no periodic wake-up); the wait itself parks on the futex waiter thread.
            ReadAsync(reader, api, check).GetAwaiter().GetResult();
        }

        Console.WriteLine(ReceivedLine(check));
    }

    private static async Task ReadAsync(SharedChannelReader reader, ReadApi api, MessageCheck check)
    {
        if (api == ReadApi.ReadAllAsync)
        {
            await foreach (ReadOnlyMemory<byte> message in reader.ReadAllAsync())
            {
                Accept(check, message.Span);
                if (check.Received == Messages)
                {
                    return;
                }
            }

            throw new InvalidOperationException("The channel completed before both messages were written.");
        }

        while (check.Received < Messages)
        {
            if (!TryAccept(reader, check) && !await reader.WaitToReadAsync(BenchRun.ChildTimeout))
            {
                throw new InvalidOperationException("The channel completed before both messages were written.");
            }
        }
    }

    private static bool TryAccept(SharedChannelReader reader, MessageCheck check)
    {
        if (!reader.TryLease(out ReadLease lease))
        {
            return false;
        }

        Accept(check, lease.Payload);
        lease.Dispose();
        return true;
    }

    private static void Accept(MessageCheck check, ReadOnlySpan<byte> message)
    {
        check.Accept(message);
        if (check.Received == 1)
        {
            Console.WriteLine(WaitingLine);
        }
    }

    private static void WriteToAll(List<SharedChannelWriter> writers, MessageSource source, long sequence)
    {
        foreach (SharedChannelWriter writer in writers)
        {
            WriteClaim claim = writer.Claim(source.Size, BenchRun.ChildTimeout);
            source.FillInto(claim.Payload, sequence);
            claim.Commit();
        }
    }

    /// <summary>The check a reader ends with when it read both messages intact.</summary>
    private static MessageCheck ExpectedCheck(MessageSource source)
    {
        var check = new MessageCheck();
        var message = new byte[source.Size];
        for (long sequence = 0; sequence < Messages; sequence++)
        {
            source.FillInto(message, sequence);
            check.Accept(message);
        }

        return check;
    }

    private static string ReceivedLine(MessageCheck check) => $"received {check.Received} checksum {check.Checksum}";

    /// <summary>Reader processes on one channel of <paramref name="topology"/>: every subscriber shares the broadcast channel; an SPSC channel has one.</summary>
    private static int ReadersOf(ChannelTopology topology) =>
        topology == ChannelTopology.Broadcast ? s_readers.Count(r => r.Topology == topology) : 1;

    private static string Describe(ChannelTopology topology, ReadApi api) =>
        $"{(topology == ChannelTopology.Broadcast ? "broadcast" : "spsc")} {api}";
}
