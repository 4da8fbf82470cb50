using System;
using System.Collections.Generic;
using System.Linq;
using NeoBuffer.Testing;
using NeoBuffer.TestHost.Commands;

namespace NeoBuffer.Soak.Tests;

/// <summary>
/// The stress run: real processes over one channel, every record checked. MPSC: P producer processes write N
/// records each into this process, the consumer. Broadcast: this process writes N records to S subscriber processes.
/// Last line: <c>lost=L reported=R duplicated=D reordered=O</c>, summed over subscribers; exit 1 when the run broke a
/// promise (any loss without lossy subscribers, loss other than reported, a duplicate, a reordering, a bad checksum).
/// </summary>
internal static class StressRun
{
    /// <summary>How long the consumer may see nothing while producers still run before the run counts as hung.</summary>
    private static readonly TimeSpan QuietBound = TimeSpan.FromSeconds(60);

    /// <summary>MPSC with <paramref name="producers"/> producer processes, or broadcast with <paramref name="subscribers"/> subscriber processes; 0 when every promise was kept.</summary>
    public static int Run(bool mpsc, int producers, int subscribers, long messages, bool lossy, bool slow)
    {
        if (mpsc ? subscribers != 1 || lossy : producers != 1)
        {
            throw new ArgumentException("mpsc has one consumer and no lossy mode; broadcast has one producer");
        }

        using var scratch = new ScratchDirectory();
        SoakLog.WriteLine(mpsc
            ? $"stress mpsc: {producers} producer processes x {messages} records into 1 consumer{(slow ? " (slow)" : "")}, ring {CheckedChannel.Capacity / 1024} KiB"
            : $"stress broadcast: 1 producer x {messages} records to {subscribers} {(lossy ? "lossy" : "tethered")} subscriber processes{(slow ? " (slow)" : "")}, ring {CheckedChannel.Capacity / 1024} KiB");
        var started = System.Diagnostics.Stopwatch.StartNew();
        (long lost, long reported, long duplicated, long reordered, long corrupt) = mpsc
            ? RunMpsc(scratch.Path, producers, messages, slow)
            : RunBroadcast(scratch.Path, subscribers, messages, lossy, slow);
        SoakLog.WriteLine($"took {started.Elapsed.TotalSeconds:0.0} s; corrupt records {corrupt}");
        SoakLog.WriteLine(TallyLine.Format(("lost", lost), ("reported", reported), ("duplicated", duplicated), ("reordered", reordered)));
        bool kept = duplicated == 0 && reordered == 0 && corrupt == 0 && (lossy ? lost == reported : lost == 0);
        return kept ? 0 : 1;
    }

    private static (long, long, long, long, long) RunMpsc(string directory, int producers, long messages, bool slow)
    {
        string name = $"stress-mpsc-{Environment.ProcessId}";
        using SharedChannelReader reader = SharedChannel.CreateReader(name, CheckedChannel.Options(directory, ChannelTopology.MultiProducerSingleConsumer, producers));
        var checker = new CheckedReader(reader, slow ? new SlowPace() : null);
        ChildProcess[] children = ChildProcess.StartAllReady(ChildProgram.TestHost,
            StressProducer.Verb,
            Enumerable.Range(0, producers).Select(p => new object[] { directory, name, p, messages }).ToList());
        try
        {
            long quietSince = Environment.TickCount64;
            while (true)
            {
                // Exited first, read second: a producer's commits all precede its exit, so an empty read after every
                // producer exited means everything committed has been read.
                bool allExited = children.All(child => child.HasExited);
                if (checker.ReadAvailable() > 0)
                {
                    quietSince = Environment.TickCount64;
                    continue;
                }

                if (allExited)
                {
                    break;
                }

                if (!checker.WaitForRecord(TimeSpan.FromMilliseconds(100)) && Environment.TickCount64 - quietSince > QuietBound.TotalMilliseconds)
                {
                    throw new TimeoutException($"Nothing arrived for {QuietBound} while producers were still running.");
                }
            }

            foreach (ChildProcess child in children)
            {
                child.WaitSuccess(QuietBound);
            }
        }
        finally
        {
            Array.ForEach(children, child => child.Dispose());
        }

        if (checker.FirstError is string error)
        {
            SoakLog.WriteLine($"first corrupt record: {error}");
        }

        SequenceTally tally = checker.Tally;
        long lost = Enumerable.Range(0, producers).Sum(p => tally.Missing(p, 0, messages));
        return (lost, reader.LostMessages, tally.Duplicated, tally.Reordered, checker.Corrupt);
    }

    private static (long, long, long, long, long) RunBroadcast(string directory, int subscribers, long messages, bool lossy, bool slow)
    {
        string name = $"stress-bcast-{Environment.ProcessId}";
        using SharedChannelWriter writer = SharedChannel.CreateWriter(name, CheckedChannel.Options(directory, ChannelTopology.Broadcast, subscribers));

        // Every subscriber is subscribed (from the oldest record) before the first record is written: each must see 0..N-1.
        ChildProcess[] children = ChildProcess.StartAllReady(ChildProgram.TestHost,
            StressSubscriber.Verb,
            Enumerable.Range(0, subscribers).Select(_ => new object[] { directory, name, messages, lossy ? "lossy" : "tethered", slow ? "slow" : "fast" }).ToList());
        try
        {
            for (long sequence = 0; sequence < messages; sequence++)
            {
                WriteClaim claim = writer.Claim(TaggedRecord.LengthOf(0, sequence), StressProducer.ClaimBound);
                TaggedRecord.Fill(claim.Payload, 0, sequence);
                claim.Commit();
            }

            writer.Complete();
            var sums = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (ChildProcess child in children)
            {
                if (!child.WaitExit(QuietBound))
                {
                    throw new TimeoutException($"Subscriber {child.Id} did not finish within {QuietBound}.");
                }

                if (child.ExitCode != 0 && child.ExitCode != StressSubscriber.CorruptExit)
                {
                    throw new InvalidOperationException($"Subscriber {child.Id} failed with exit code {child.ExitCode}.{Environment.NewLine}{child.ErrorOutput}");
                }

                SoakLog.WriteLine($"  subscriber {child.Id}: {child.LastLine}");
                Dictionary<string, long> counts = TallyLine.Parse(child.LastLine);

                foreach ((string key, long value) in counts)
                {
                    sums[key] = sums.GetValueOrDefault(key) + value;
                }
            }

            return (sums["lost"], sums["reported"], sums["duplicated"], sums["reordered"], sums["corrupt"]);
        }
        finally
        {
            Array.ForEach(children, child => child.Dispose());
        }
    }
}
