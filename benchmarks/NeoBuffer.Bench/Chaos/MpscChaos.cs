using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using NeoBuffer.Bench.Checks;
using NeoBuffer.Bench.Harness;

namespace NeoBuffer.Bench.Chaos;

/// <summary>
/// MPSC chaos: this process is the consumer; two producer processes write N records each. K times, a producer is
/// SIGKILLed: either a running one, once a random number of its records has arrived, or one started to claim a
/// record and stop before committing it ("claimed"), killed exactly there. After each kill a replacement producer
/// (a fresh id) starts, and its first record must arrive within <see cref="ChaosRun.Bound"/>: it was claimed after
/// the dead claim, so the consumer got past it. At the end every record each producer committed must have arrived
/// exactly once and in its order.
/// </summary>
internal sealed class MpscChaos
{
    private readonly string _directory;
    private readonly string _name;
    private readonly string _countersPath;
    private readonly long _messages;
    private readonly Random _random;
    private readonly CheckedReader _checker;
    private readonly Dictionary<int, BenchChild> _producers = [];
    private readonly HashSet<int> _killed = [];

    private MpscChaos(string directory, SharedChannelReader reader, long messages, Random random)
    {
        _directory = directory;
        _name = reader.Name;
        _countersPath = Path.Combine(directory, "committed");
        _messages = messages;
        _random = random;
        _checker = new CheckedReader(reader);
    }

    public static ChaosOutcome Run(string directory, int kills, long messages, Random random)
    {
        string name = $"chaos-mpsc-{Environment.ProcessId}";
        using SharedChannelReader reader = SharedChannel.CreateReader(name, CheckedChannel.Options(directory, ChannelTopology.MultiProducerSingleConsumer, ChaosRun.MaxParticipants));
        var chaos = new MpscChaos(directory, reader, messages, random);
        using var counters = SharedCounters.Create(chaos._countersPath, ChaosRun.MaxParticipants);
        try
        {
            return chaos.Run(kills, counters);
        }
        finally
        {
            foreach (BenchChild producer in chaos._producers.Values)
            {
                producer.Dispose();
            }
        }
    }

    private ChaosOutcome Run(int kills, SharedCounters counters)
    {
        var outcome = new ChaosOutcome(kills);
        StartProducer(holdAfter: -1);
        StartProducer(holdAfter: -1);
        for (int kill = 0; kill < kills; kill++)
        {
            bool betweenClaimAndCommit = _random.Next(2) == 0;
            int victim = betweenClaimAndCommit ? StartProducer(holdAfter: _random.Next(0, 200)) : RunningVictim();
            BenchChild child = _producers[victim];
            long killAt = _checker.Tally.Distinct(victim) + _random.Next(1, 2000);
            bool reached = betweenClaimAndCommit
                ? ConsumeUntil(() => child.WaitForLine(ChaosProducer.ClaimedMarker, TimeSpan.Zero))
                : ConsumeUntil(() => _checker.Tally.Distinct(victim) >= killAt || child.HasExited);
            if (!reached)
            {
                outcome.Hung++;
                continue;
            }

            if (child.HasExited)
            {
                kill--; // it finished its records before the chosen point: choose again
                continue;
            }

            child.Kill();
            _killed.Add(victim);
            Console.WriteLine($"  kill {kill + 1}: producer {victim} (pid {child.Id}) {(betweenClaimAndCommit ? "between claim and commit" : "while writing")}, {counters.Read(victim)} committed");

            int replacement = StartProducer(holdAfter: -1);
            if (ConsumeUntil(() => _checker.Tally.Distinct(replacement) > 0))
            {
                outcome.Survived++;
            }
            else
            {
                outcome.Hung++;
            }
        }

        // Everything a live producer writes has arrived once all have exited and the ring reads empty.
        if (!ConsumeUntil(() => _producers.Values.All(p => p.HasExited) && _checker.ReadAvailable() == 0, ChaosRun.FinishBound))
        {
            outcome.Hung++;
        }

        foreach ((int id, BenchChild producer) in _producers)
        {
            if (!_killed.Contains(id) && producer.HasExited && producer.ExitCode != 0)
            {
                throw new InvalidOperationException($"Producer {id} failed with exit code {producer.ExitCode}.{Environment.NewLine}{producer.ErrorOutput}");
            }

            // A killed producer may have committed one record more than its counter says (killed between the two).
            long committed = _killed.Contains(id) ? counters.Read(id) : _messages;
            long phantom = _killed.Contains(id) ? Math.Max(0, _checker.Tally.Distinct(id) - committed - 1) : 0;
            outcome.LostCommitted += _checker.Tally.Missing(id, 0, committed);
            outcome.Broken += phantom;
        }

        outcome.Broken += _checker.Tally.Duplicated + _checker.Tally.Reordered + _checker.Corrupt;
        Console.WriteLine($"  records received {_checker.Tally.Received}, duplicated {_checker.Tally.Duplicated}, reordered {_checker.Tally.Reordered}, corrupt {_checker.Corrupt}{(_checker.FirstError is string e ? $" (first: {e})" : string.Empty)}");
        return outcome;
    }

    /// <summary>A producer still writing; starts one if every producer has finished.</summary>
    private int RunningVictim()
    {
        int[] running = _producers.Where(p => !_killed.Contains(p.Key) && !p.Value.HasExited).Select(p => p.Key).ToArray();
        return running.Length > 0 ? running[_random.Next(running.Length)] : StartProducer(holdAfter: -1);
    }

    private int StartProducer(long holdAfter)
    {
        int id = _producers.Count;
        if (id >= ChaosRun.MaxParticipants)
        {
            throw new InvalidOperationException($"More than {ChaosRun.MaxParticipants} producers.");
        }

        _producers.Add(id, BenchChild.Start(ChaosProducer.Verb, _directory, _name, _countersPath, id, _messages, holdAfter));
        return id;
    }

    /// <summary>Consumes and checks records until <paramref name="done"/>; false if that takes longer than the bound.</summary>
    private bool ConsumeUntil(Func<bool> done, TimeSpan? bound = null)
    {
        long deadline = Environment.TickCount64 + (long)(bound ?? ChaosRun.Bound).TotalMilliseconds;
        while (!done())
        {
            if (Environment.TickCount64 > deadline)
            {
                return false;
            }

            if (_checker.ReadAvailable(max: 64) == 0)
            {
                _checker.WaitForRecord(TimeSpan.FromMilliseconds(20));
            }
        }

        return true;
    }
}
