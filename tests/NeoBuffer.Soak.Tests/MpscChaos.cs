using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using NeoBuffer.Testing;
using NeoBuffer.TestHost.Commands;
using NeoBuffer.Ring;

namespace NeoBuffer.Soak.Tests;

/// <summary>
/// MPSC chaos: every participant is a child process: a consumer (restarted after each of its deaths) and producers
/// writing N records each. This process holds a writer it never writes with, so the channel outlives any of them, and
/// completes the channel at the end. Each of the K kills is drawn at random among:
/// <list type="bullet">
/// <item>a running producer killed once a random number of its records has arrived ("while writing"), or one that
/// claimed a record and stopped before committing it ("between claim and commit"): the untargeted kills;</item>
/// <item>a fresh producer the runtime kills at its N-th <c>mpsc.announced</c>, <c>mpsc.claimed</c> or <c>mpsc.filling</c>;</item>
/// <item>the consumer, killed while reading, then a consumer the runtime kills at its N-th <c>mpsc.zeroing</c>, or at
/// <c>mpsc.padding</c> or <c>row.dead-found</c> once a producer dies between claim and commit (so it has a dead claim to
/// turn into padding), then a consumer that must recover what they left.</item>
/// </list>
/// After each kill a replacement producer (a fresh id) starts, and its first record must arrive within
/// <see cref="ChaosRun.Bound"/>: it was claimed after whatever the dead left, so the consumer got past it. When it does
/// not, the run prints where everyone stood (the channel's head and tail, each row, the consumer's heartbeat), counts the
/// kill as hung and goes on with a fresh channel (an episode), so one failing recovery path does not hide the others.
/// At the end of each episode every record each producer committed must have arrived exactly once and in its order.
/// </summary>
internal sealed class MpscChaos : IDisposable
{
    private const string WhileWriting = "producer while writing";
    private const string BetweenClaimAndCommit = "producer between claim and commit";
    private const string ConsumerWhileReading = "consumer while reading";

    /// <summary>The kinds a kill is drawn from, with who dies there: each listed point is drawn as often as each untargeted kind.</summary>
    private static readonly string[] Kinds =
    [
        WhileWriting, BetweenClaimAndCommit, ProtocolPoint.MpscAnnounced, ProtocolPoint.MpscClaimed, ProtocolPoint.MpscFilling,
        ProtocolPoint.MpscZeroing, ProtocolPoint.MpscPadding, ProtocolPoint.DeadRowFound,
    ];

    private readonly string _directory;
    private readonly string _name;
    private readonly string _boardPath;
    private readonly SharedCounters _board;
    private readonly SharedChannelWriter _keeper;
    private readonly long _messages;
    private readonly Random _random;
    private readonly ChaosOutcome _outcome;
    private readonly Dictionary<int, ChildProcess> _producers = [];
    private readonly HashSet<int> _killed = [];
    private readonly List<ChildProcess> _consumers = [];
    private bool _abandoned;

    private MpscChaos(string directory, int episode, long messages, Random random, ChaosOutcome outcome)
    {
        _directory = directory;
        _name = $"chaos-mpsc-{Environment.ProcessId}-{episode}";
        _boardPath = Path.Combine(directory, $"board-{episode}");
        _messages = messages;
        _random = random;
        _outcome = outcome;
        _board = SharedCounters.Create(_boardPath, MpscBoard.Size);
        _keeper = SharedChannel.CreateWriter(_name, CheckedChannel.Options(directory, ChannelTopology.MultiProducerSingleConsumer, CheckedChannel.MaxParticipants));
        _consumers.Add(ChildProcess.StartReady(ChaosConsumer.Verb, _directory, _name, _boardPath));
        StartProducer(holdAfter: -1);
        StartProducer(holdAfter: -1);
    }

    private ChildProcess Consumer => _consumers[^1];

    public static ChaosOutcome Run(string directory, int kills, long messages, Random random)
    {
        var outcome = new ChaosOutcome(kills);
        int episode = 1;
        var chaos = new MpscChaos(directory, episode, messages, random, outcome);
        try
        {
            for (int kill = 1; kill <= kills; kill++)
            {
                // A few producers per kill: a long run goes on in a fresh channel before the rows run out.
                if (chaos._producers.Count > MpscBoard.Producers - 8)
                {
                    chaos.Finish();
                    chaos.Dispose();
                    chaos = new MpscChaos(directory, ++episode, messages, random, outcome);
                }

                string kind = Kinds[random.Next(Kinds.Length)];
                if (!chaos.Kill(kind, kill))
                {
                    kill--; // the victim finished before the drawn point: draw again
                    continue;
                }

                if (chaos._abandoned)
                {
                    chaos.Finish();
                    chaos.Dispose();
                    chaos = new MpscChaos(directory, ++episode, messages, random, outcome);
                    SoakLog.WriteLine($"  episode {episode}: a fresh channel after the hang");
                }
            }

            chaos.Finish();
            return outcome;
        }
        finally
        {
            chaos.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (ChildProcess child in _producers.Values.Concat(_consumers))
        {
            child.Dispose();
        }

        _keeper.Dispose();
        _board.Dispose();
    }

    /// <summary>Makes kill <paramref name="kill"/> of <paramref name="kind"/>; false if the victim finished before the drawn point.</summary>
    private bool Kill(string kind, int kill)
    {
        switch (kind)
        {
            case WhileWriting:
            {
                int victim = RunningVictim();
                long killAt = Received(victim) + _random.Next(1, 2000);
                if (!WaitUntil(() => Received(victim) >= killAt || _producers[victim].HasExited, kind, kill))
                {
                    return true;
                }

                if (_producers[victim].HasExited)
                {
                    _outcome.CountNotReached(kind);
                    return false;
                }

                KillProducer(victim, kind, kill);
                break;
            }

            case BetweenClaimAndCommit:
            {
                int victim = StartProducer(holdAfter: _random.Next(0, 200));
                if (!WaitUntil(() => _producers[victim].WaitForLine(ChaosProducer.ClaimedMarker, TimeSpan.Zero), kind, kill))
                {
                    return true;
                }

                KillProducer(victim, kind, kill);
                break;
            }

            case ProtocolPoint.MpscAnnounced or ProtocolPoint.MpscClaimed or ProtocolPoint.MpscFilling:
            {
                int reach = _random.Next(1, 300);
                int victim = StartProducer(holdAfter: -1, killAt: $"{kind}@{reach}");
                if (!DiedAtPoint(_producers[victim], $"producer {victim}", kind, reach, kill))
                {
                    return !_producers[victim].HasExited || _producers[victim].ExitCode != 0 || NotReached(kind);
                }

                _killed.Add(victim);
                SoakLog.WriteLine($"  kill {kill}: producer {victim} (pid {_producers[victim].Id}) killed by the runtime at {kind}@{reach}, {Committed(victim)} committed");
                break;
            }

            default:
            {
                // The consumer: killed while reading, then one the runtime kills at the point, then one that must recover.
                if (!KillConsumerWhileReading(kill))
                {
                    return true;
                }

                bool afterDeadClaim = kind != ProtocolPoint.MpscZeroing;
                int reach = afterDeadClaim ? 1 : _random.Next(1, 2000);
                if (!afterDeadClaim)
                {
                    StartProducer(holdAfter: -1); // records to zero, whatever the others have left to write
                }

                ChildProcess armed = ChildProcess.StartKillingAt($"{kind}@{reach}", ChaosConsumer.Verb, _directory, _name, _boardPath);
                _consumers.Add(armed);
                if (afterDeadClaim)
                {
                    // A dead writer's claim at the head: the consumer finds its row dead, then pads the claim. (Dying
                    // early, at another dead row, is dying at the point too: the wait lets the armed consumer exit.)
                    int holder = StartProducer(holdAfter: _random.Next(0, 200));
                    if (!WaitUntil(() => _producers[holder].WaitForLine(ChaosProducer.ClaimedMarker, TimeSpan.Zero), kind, kill, who: armed))
                    {
                        return true;
                    }

                    KillProducer(holder, BetweenClaimAndCommit + ", leaving a dead claim", kill);
                }

                if (!DiedAtPoint(armed, "consumer", kind, reach, kill))
                {
                    return !armed.HasExited || armed.ExitCode != 0 || NotReached(kind);
                }

                SoakLog.WriteLine($"  kill {kill}: consumer (pid {armed.Id}) killed by the runtime at {kind}@{reach}, {_board.Read(MpscBoard.Consumed)} records consumed");
                _consumers.Add(ChildProcess.StartReady(ChaosConsumer.Verb, _directory, _name, _boardPath));
                break;
            }
        }

        // Survived when a producer started now gets a record through: everything the dead left was dealt with.
        int replacement = StartProducer(holdAfter: -1);
        bool resumed = WaitUntil(() => Received(replacement) > 0, kind, kill, after: true);
        if (resumed)
        {
            _outcome.Survived++;
            _outcome.Count(kind, survived: true);
        }

        return true;
    }

    private bool NotReached(string kind)
    {
        _outcome.CountNotReached(kind);
        return false;
    }

    /// <summary>
    /// Waits for <paramref name="victim"/>, started with NEOBUFFER_KILL_AT, to die there. False when it hung (counted),
    /// crashed (counted) or finished without reaching the point (the caller draws again).
    /// </summary>
    private bool DiedAtPoint(ChildProcess victim, string who, string kind, int reach, int kill)
    {
        if (!WaitUntil(() => victim.HasExited, kind, kill, who: victim))
        {
            return false;
        }

        victim.WaitExit(TimeSpan.Zero);
        if (victim.DiedBySigKill)
        {
            return true;
        }

        if (victim.ExitCode != 0)
        {
            Failed(kind, kill, $"{who} (pid {victim.Id}), to be killed at {kind}@{reach}, failed with exit code {victim.ExitCode}: {FirstLines(victim.ErrorOutput)}", hung: false);
        }

        return false;
    }

    private void KillProducer(int victim, string kind, int kill)
    {
        ChildProcess child = _producers[victim];
        child.Kill();
        _killed.Add(victim);
        SoakLog.WriteLine($"  kill {kill}: producer {victim} (pid {child.Id}) {kind}, {Committed(victim)} committed");
    }

    /// <summary>Kills the consumer once it has read a random number of records more; false if it hung or crashed first.</summary>
    private bool KillConsumerWhileReading(int kill)
    {
        // Counted before the producer starts: it writes its records (more than the most this waits for) as soon as it
        // is ready, and a fast consumer could read them all before a count taken after the start, leaving the kill
        // point beyond the last record and the wait to its bound.
        long killAt = _board.Read(MpscBoard.Consumed) + _random.Next(1, 2000);
        StartProducer(holdAfter: -1); // something to read while it is killed
        bool reached = WaitUntil(() => _board.Read(MpscBoard.Consumed) >= killAt, ConsumerWhileReading, kill);
        Consumer.Kill();
        if (reached)
        {
            SoakLog.WriteLine($"  kill {kill}: consumer (pid {Consumer.Id}) while reading, {_board.Read(MpscBoard.Consumed)} records consumed, then one killed by the runtime:");
        }

        return reached;
    }

    /// <summary>A producer still writing; starts one if every producer has finished.</summary>
    private int RunningVictim()
    {
        int[] running = _producers.Where(p => !_killed.Contains(p.Key) && !p.Value.HasExited).Select(p => p.Key).ToArray();
        return running.Length > 0 ? running[_random.Next(running.Length)] : StartProducer(holdAfter: -1);
    }

    private int StartProducer(long holdAfter, string? killAt = null)
    {
        int id = _producers.Count;
        _producers.Add(id, ChildProcess.StartKillingAt(killAt, ChaosProducer.Verb, _directory, _name, _boardPath, id, _messages, holdAfter));
        return id;
    }

    private long Received(int producer) => _board.Read(MpscBoard.Received(producer));

    private long Committed(int producer) => _board.Read(MpscBoard.Committed(producer));

    /// <summary>
    /// Waits until <paramref name="done"/>, within the bound. On a timeout, or when the consumer dies on its own, the
    /// kill is counted as hung or failed, the state of everyone is printed, and the episode is abandoned.
    /// The children coordinate through the channel; this process only looks at their counters, a few times per
    /// millisecond-scale step (polling shared memory, not sleeping in place of a signal).
    /// </summary>
    private bool WaitUntil(Func<bool> done, string kind, int kill, bool after = false, ChildProcess? who = null)
    {
        long deadline = Environment.TickCount64 + (long)ChaosRun.Bound.TotalMilliseconds;
        while (!done())
        {
            ChildProcess consumer = Consumer;
            if (consumer != who && consumer.HasExited)
            {
                consumer.WaitExit(TimeSpan.Zero);
                Failed(kind, kill, $"the consumer (pid {consumer.Id}) exited by itself with code {consumer.ExitCode}: {FirstLines(consumer.ErrorOutput)} {Findings(consumer)}", hung: false);
                return false;
            }

            if (CrashedProducer() is string crash)
            {
                Failed(kind, kill, crash, hung: false);
                return false;
            }

            if (Environment.TickCount64 > deadline)
            {
                string waited = after ? "the replacement producer's first record" : who is not null ? $"pid {who.Id} to die at its point" : "the kill point";
                Failed(kind, kill, $"hung: waited {ChaosRun.Bound.TotalSeconds:0} s for {waited}. {Where()}", hung: true);
                return false;
            }

            Thread.Sleep(2);
        }

        return true;
    }

    /// <summary>A producer that ended by itself with an error (neither killed nor done): what it said, else null.</summary>
    private string? CrashedProducer()
    {
        foreach ((int id, ChildProcess producer) in _producers)
        {
            if (!_killed.Contains(id) && producer.HasExited && producer.ExitCode is not 0 and not ChildProcess.SigKillExitCode)
            {
                _killed.Add(id); // reported once
                return $"producer {id} (pid {producer.Id}) failed with exit code {producer.ExitCode}: {FirstLines(producer.ErrorOutput)}. {Where()}";
            }
        }

        return null;
    }

    private void Failed(string kind, int kill, string what, bool hung)
    {
        _outcome.CountFailed(kind, $"kill {kill} ({kind}) in {_name}: {what}", hung);
        _abandoned = true;
    }

    /// <summary>Where everyone stood: the consumer (and its managed stacks), the channel's head and tail, and every row in use.</summary>
    private string Where()
    {
        ChildProcess consumer = Consumer;
        long beat = Environment.TickCount64 - _board.Read(MpscBoard.ConsumerBeat);
        string consumerState = consumer.HasExited ? $"exited ({consumer.ExitCode})" : $"running, last loop {beat} ms ago";
        ChannelInfo? info = SharedChannel.List(_directory).FirstOrDefault(channel => channel.Name == _name);
        string channel = info is null
            ? "channel not found"
            : $"head {info.Head}, claim tail {info.Tail}, {info.Completion}; rows: " + string.Join(", ", info.Participants
                .Where(row => row.Role == ChannelRole.Reader || row.Position >= 0 || !row.IsAlive || row.Pid != Environment.ProcessId)
                .Select(row => $"{row.Row} {row.Role} pid {row.Pid} {(row.IsAlive ? "alive" : "DEAD")}{(row.Position >= 0 ? $" announces {row.Position}" : string.Empty)}"));
        string stack = consumer.HasExited ? string.Empty : $"{Environment.NewLine}  the consumer's stacks:{Environment.NewLine}{ManagedStack.Of(consumer.Id)}";
        return $"Consumer pid {consumer.Id} {consumerState}, {_board.Read(MpscBoard.Consumed)} consumed. Channel: {channel}. {Findings(consumer)}{stack}";
    }

    private static string Findings(ChildProcess consumer) =>
        string.Join(" | ", consumer.Lines.Where(line => line.Contains(':', StringComparison.Ordinal)).Take(3));

    /// <summary>
    /// Ends the episode: every producer not killed finishes, this process completes the channel, the consumer drains
    /// it and exits; then each producer's stream is judged against what it committed.
    /// </summary>
    private void Finish()
    {
        long deadline = Environment.TickCount64 + (long)CheckedChannel.FinishBound.TotalMilliseconds;
        while (!_abandoned && !_producers.Where(p => !_killed.Contains(p.Key)).All(p => p.Value.HasExited))
        {
            if (Environment.TickCount64 > deadline || Consumer.HasExited)
            {
                _outcome.Hung++;
                _outcome.Fail($"end of {_name}: the producers did not finish within {CheckedChannel.FinishBound.TotalSeconds:0} s. {Where()}");
                _abandoned = true;
            }

            Thread.Sleep(10); // polling the children's state, as above
        }

        _keeper.Complete();
        if (!_abandoned && !Consumer.WaitExit(CheckedChannel.FinishBound))
        {
            _outcome.Hung++;
            _outcome.Fail($"end of {_name}: the consumer did not drain the completed channel within {CheckedChannel.FinishBound.TotalSeconds:0} s. {Where()}");
            _abandoned = true;
        }

        long lost = 0, phantom = 0;
        foreach ((int id, ChildProcess producer) in _producers)
        {
            if (!_killed.Contains(id) && producer.HasExited && producer.ExitCode is not 0 and not ChildProcess.SigKillExitCode)
            {
                _outcome.Broken++;
                _outcome.Fail($"{_name}: producer {id} (pid {producer.Id}) failed with exit code {producer.ExitCode}: {FirstLines(producer.ErrorOutput)}");
            }

            // A killed producer may have committed one record more than its counter says (killed between the two).
            bool killed = _killed.Contains(id) || producer.DiedBySigKill;
            long committed = killed ? Committed(id) : _messages;
            phantom += killed ? Math.Max(0, Received(id) - committed - 1) : 0;
            lost += _abandoned ? 0 : Math.Max(0, committed - Received(id)); // an abandoned episode's backlog is its hang
        }

        long gaps = _board.Read(MpscBoard.Gaps);
        long broken = _board.Read(MpscBoard.Backwards) + _board.Read(MpscBoard.Corrupt) + phantom;
        _outcome.LostCommitted += lost + gaps;
        _outcome.Broken += broken;
        SoakLog.WriteLine($"  {_name}: {_producers.Count} producers, {_consumers.Count} consumers; records received {_board.Read(MpscBoard.Consumed)}, " +
            $"redelivered after a consumer kill {_board.Read(MpscBoard.Redelivered)}, lost at the end {lost}, skipped {gaps}, " +
            $"backwards {_board.Read(MpscBoard.Backwards)}, corrupt {_board.Read(MpscBoard.Corrupt)}, phantom {phantom}");
        if (lost + gaps + broken > 0)
        {
            foreach (ChildProcess consumer in _consumers)
            {
                foreach (string line in consumer.Lines.Where(line => !line.StartsWith("redelivered", StringComparison.Ordinal) && line.Contains(':', StringComparison.Ordinal)).Take(5))
                {
                    _outcome.Fail($"{_name}: consumer pid {consumer.Id}: {line}");
                }
            }
        }
    }

    private static string FirstLines(string text) => string.Join(" | ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Take(3));
}
