using System;
using System.Collections.Generic;
using System.Linq;
using NeoBuffer.Bench.Checks;
using NeoBuffer.Bench.Harness;

namespace NeoBuffer.Bench.Chaos;

/// <summary>
/// Broadcast chaos: this process is the producer (it stays alive) and writes N records to three tethered subscriber
/// processes. At K random points a subscriber is SIGKILLed: either a running one, or one started to lease a record and
/// stop holding it ("leased"), killed in the middle of its read. Each kill is followed by a replacement subscriber
/// joining at the live tail. A holder is killed once the ring is full behind it. The producer must go on within <see cref="ChaosRun.Bound"/> (a dead tethered subscriber
/// may no longer hold it back), and every subscriber alive at the end must have received every record from its first
/// to the last, once and in order.
/// </summary>
internal sealed class BroadcastChaos
{
    private const int BaseSubscribers = 3;

    private readonly string _directory;
    private readonly SharedChannelWriter _writer;
    private readonly long _messages;
    private readonly Random _random;
    private readonly List<BenchChild> _running = [];
    private readonly List<BenchChild> _replacements = [];
    private long _next;

    private BroadcastChaos(string directory, SharedChannelWriter writer, long messages, Random random)
    {
        _directory = directory;
        _writer = writer;
        _messages = messages;
        _random = random;
    }

    public static ChaosOutcome Run(string directory, int kills, long messages, Random random)
    {
        string name = $"chaos-bcast-{Environment.ProcessId}";
        using SharedChannelWriter writer = SharedChannel.CreateWriter(name, CheckedChannel.Options(directory, ChannelTopology.Broadcast, ChaosRun.MaxParticipants));
        var chaos = new BroadcastChaos(directory, writer, messages, random);
        var all = new List<BenchChild>();
        try
        {
            return chaos.Run(kills, all);
        }
        finally
        {
            all.ForEach(child => child.Dispose());
        }
    }

    private ChaosOutcome Run(int kills, List<BenchChild> all)
    {
        var outcome = new ChaosOutcome(kills);
        for (int i = 0; i < BaseSubscribers; i++)
        {
            all.Add(Subscribe(holdAfter: -1, _running));
        }

        long[] points = Enumerable.Range(0, kills).Select(_ => _random.NextInt64(_messages / 10, _messages * 9 / 10)).Order().ToArray();
        var resumed = new bool[kills];
        for (int kill = 0; kill < kills; kill++)
        {
            if (!ProduceUntil(points[kill], () => false))
            {
                outcome.Hung++;
                break;
            }

            bool duringRead = _random.Next(2) == 0;
            BenchChild victim;
            if (duringRead)
            {
                BenchChild holder = Subscribe(holdAfter: _random.Next(0, 100), all);
                victim = holder;
                // Killed once it holds its lease and the ring is full behind it: the producer is then held back by
                // a dead subscriber and must notice it.
                if (!ProduceUntil(_messages, () => holder.WaitForLine(ChaosSubscriber.LeasedMarker, TimeSpan.Zero)) ||
                    !ProduceUntil(_messages, () => false, untilFull: true))
                {
                    outcome.Hung++;
                    break;
                }
            }
            else
            {
                victim = _running[_random.Next(_running.Count)];
                _running.Remove(victim);
            }

            victim.Kill();
            Console.WriteLine($"  kill {kill + 1}: subscriber pid {victim.Id} {(duringRead ? "holding a read lease" : "while reading")} at record {_next}");
            all.Add(Subscribe(holdAfter: -1, _replacements));
            _running.Add(_replacements[^1]);

            // The producer must get past the dead subscriber: a ring's worth of records more, or the end.
            resumed[kill] = ProduceUntil(Math.Min(_messages, _next + 1000), () => false);
            outcome.Hung += resumed[kill] ? 0 : 1;
            if (!resumed[kill])
            {
                break;
            }
        }

        if (!ProduceUntil(_messages, () => false))
        {
            outcome.Hung++;
        }

        _writer.Complete();
        bool[] clean = _running.Select(child => Report(child, outcome)).ToArray();
        for (int kill = 0; kill < kills; kill++)
        {
            // Survived: the producer went on, and the replacement started after this kill got everything from its first
            // (unless a later kill took the replacement too: then the producer going on is all there is to judge).
            int end = kill < _replacements.Count ? _running.IndexOf(_replacements[kill]) : -2;
            bool replacementClean = end == -1 || (end >= 0 && clean[end]);
            outcome.Survived += resumed[kill] && replacementClean ? 1 : 0;
        }

        return outcome;
    }

    /// <summary>Waits for a subscriber's report, adds its counts, and says whether it saw every record cleanly.</summary>
    private static bool Report(BenchChild child, ChaosOutcome outcome)
    {
        if (!child.WaitExit(ChaosRun.FinishBound))
        {
            outcome.Hung++;
            return false;
        }

        if (child.ExitCode != 0)
        {
            throw new InvalidOperationException($"Subscriber {child.Id} failed with exit code {child.ExitCode}.{Environment.NewLine}{child.ErrorOutput}");
        }

        Dictionary<string, long> counts = TallyLine.Parse(child.LastLine);
        Console.WriteLine($"  subscriber {child.Id}: {child.LastLine}");
        long broken = counts["duplicated"] + counts["reordered"] + counts["corrupt"];
        outcome.LostCommitted += counts["missing"];
        outcome.Broken += broken;
        return counts["missing"] == 0 && broken == 0;
    }

    private BenchChild Subscribe(long holdAfter, List<BenchChild> into)
    {
        BenchChild child = BenchChild.Start(ChaosSubscriber.Verb, _directory, _writer.Name, _messages, holdAfter);
        into.Add(child);
        return child;
    }

    /// <summary>
    /// Writes records up to <paramref name="end"/> (exclusive) or until <paramref name="stop"/>, or, with
    /// <paramref name="untilFull"/>, until the ring is full; false if the ring stayed full past the bound.
    /// </summary>
    private bool ProduceUntil(long end, Func<bool> stop, bool untilFull = false)
    {
        long deadline = Environment.TickCount64 + (long)ChaosRun.Bound.TotalMilliseconds;
        while (_next < end && !stop())
        {
            try
            {
                WriteClaim claim = _writer.Claim(TaggedRecord.LengthOf(0, _next), TimeSpan.FromMilliseconds(20));
                TaggedRecord.Fill(claim.Payload, 0, _next);
                claim.Commit();
                _next++;
                deadline = Environment.TickCount64 + (long)ChaosRun.Bound.TotalMilliseconds;
            }
            catch (TimeoutException) when (untilFull)
            {
                return true;
            }
            catch (TimeoutException) when (Environment.TickCount64 < deadline)
            {
                // The ring is full: a slow or dead tethered subscriber. Look at stop() again and retry.
            }
            catch (TimeoutException)
            {
                return false;
            }
        }

        return true;
    }
}
