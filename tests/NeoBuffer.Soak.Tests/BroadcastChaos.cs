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
/// Broadcast chaos: every participant is a child process. A producer writes the episode's N records to three tethered
/// subscribers (and the replacements); it can be killed too, so the next producer generation waits as a standby, ready,
/// and opens the writer as soon as the parent sees the previous one dead. Each kill is drawn among:
/// <list type="bullet">
/// <item>untargeted: a running subscriber ("while reading"), a subscriber holding a read lease once the ring is full
/// behind it ("holding a read lease"), the producer at a random record ("producer while writing");</item>
/// <item>the producer killed by the runtime at its N-th <c>broadcast.announced</c> or
/// <c>broadcast.sequence-published</c>, or at <c>row.dead-found</c> when it finds a killed lease holder's row dead;</item>
/// <item>a subscriber killed by the runtime at <c>row.dead-found</c> when it finds the killed producer's row dead.</item>
/// </list>
/// A producer generation's way to die is fixed when it starts (NEOBUFFER_KILL_AT is read at start-up), so a standby
/// started with a point makes the next kill that point. After a producer's death the standby either takes over (the
/// stream goes on) or finds the channel faulted by a subscriber that saw the dead writer first: the documented end, after
/// which each subscriber must have read every committed record; the run then goes on with a fresh channel (an episode).
/// A kill is survived when the producer went on within <see cref="ChaosRun.Bound"/> (a ring's worth of records past a
/// dead subscriber, or the new generation's first record) or the channel ended as documented; every subscriber alive at
/// an episode's end must have received every committed record from its first on, once and in order.
/// </summary>
internal sealed class BroadcastChaos : IDisposable
{
    private const int BaseSubscribers = 3;

    /// <summary>An episode ends, and the next starts, when fewer records than this are left to write.</summary>
    private const long EpisodeReserve = 10_000;

    private const string WhileReading = "subscriber while reading";
    private const string HoldingLease = "subscriber holding a read lease";
    private const string ProducerWhileWriting = "producer while writing";
    private const string ProducerDeadRow = ProtocolPoint.DeadRowFound + " (producer)";
    private const string SubscriberDeadRow = ProtocolPoint.DeadRowFound + " (subscriber)";

    /// <summary>What a standby generation is started with: no point (the parent kills it) or the point where it will die.</summary>
    private static readonly string?[] Armings = [null, null, ProtocolPoint.BroadcastAnnounced, ProtocolPoint.BroadcastSequencePublished, ProtocolPoint.DeadRowFound];

    /// <summary>The kinds drawn while the producer has no point of its own.</summary>
    private static readonly string[] FreeKinds = [WhileReading, HoldingLease, ProducerWhileWriting, SubscriberDeadRow];

    private readonly string _directory;
    private readonly string _name;
    private readonly string _boardPath;
    private readonly SharedCounters _board;
    private readonly long _records;
    private readonly Random _random;
    private readonly ChaosOutcome _outcome;
    private readonly List<ChildProcess> _subscribers = [];
    private readonly HashSet<ChildProcess> _running = [];
    private readonly List<ChildProcess> _producers = [];
    private Generation _producer;
    private Generation _standby;
    private bool _ended;
    private bool _producerKilled;
    private bool _replacementOwed;
    private readonly List<string> _producerDeaths = [];
    private bool _abandoned;

    private BroadcastChaos(string directory, int episode, long records, Random random, ChaosOutcome outcome)
    {
        _directory = directory;
        _name = $"chaos-bcast-{Environment.ProcessId}-{episode}";
        _boardPath = Path.Combine(directory, $"board-{episode}");
        _records = records;
        _random = random;
        _outcome = outcome;
        _board = SharedCounters.Create(_boardPath, BroadcastBoard.Size);
        _producer = StartGeneration(0, DrawArming(), create: true);
        for (int i = 0; i < BaseSubscribers; i++)
        {
            Subscribe(holdAfter: -1, killAt: null);
        }

        _standby = StartGeneration(1, DrawArming(), create: false);
    }

    public static ChaosOutcome Run(string directory, int kills, long records, Random random)
    {
        var outcome = new ChaosOutcome(kills);
        int episode = 1;
        var chaos = new BroadcastChaos(directory, episode, records, random, outcome);
        try
        {
            for (int kill = 1; kill <= kills; kill++)
            {
                if (kill == kills && chaos._standby.Arming is not null)
                {
                    chaos.Unarm(); // no point left to die at after the last kill
                }

                if (!chaos.Kill(kill))
                {
                    kill--; // the drawn point was not reached: draw again
                }

                if (chaos._ended || chaos._abandoned || chaos.Left < EpisodeReserve || chaos._standby.Number >= BroadcastBoard.Generations - 1)
                {
                    chaos.Finish();
                    chaos.Dispose();
                    chaos = new BroadcastChaos(directory, ++episode, records, random, outcome);
                    SoakLog.WriteLine($"  episode {episode}: a fresh channel");
                }
            }

            chaos.Unarm();
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
        foreach (ChildProcess child in _producers.Concat(_subscribers))
        {
            child.Dispose();
        }

        _board.Dispose();
    }

    private long Committed => BroadcastBoard.CommittedUpTo(_board, _producer.Number);

    private long Left => _records - Committed;

    /// <summary>Makes one kill; false if it was drawn at a point its victim never reached.</summary>
    private bool Kill(int kill)
    {
        string? arming = _producer.Arming;
        if (arming is ProtocolPoint.BroadcastAnnounced or ProtocolPoint.BroadcastSequencePublished)
        {
            return ProducerDiesAtPoint(arming, kill);
        }

        string kind = arming is not null ? ProducerDeadRow : FreeKinds[_random.Next(FreeKinds.Length)];
        switch (kind)
        {
            case WhileReading:
            {
                ChildProcess victim = _running.ElementAt(_random.Next(_running.Count));
                long killAt = Allow(_random.Next(1, 3000));
                if (!WaitUntil(() => Committed >= killAt || _producer.Child.HasExited, kind, kill))
                {
                    return true;
                }

                victim.Kill();
                _running.Remove(victim);
                SoakLog.WriteLine($"  kill {kill}: subscriber pid {victim.Id} {kind}, {Committed} records committed");
                Replace(kind, kill);
                return ProducerGoesOn(kind, kill);
            }

            case HoldingLease or ProducerDeadRow:
            {
                // Killed once it holds its lease and the ring is full behind it: the producer is held back by a dead
                // subscriber and must notice it (and, armed at row.dead-found, die there).
                int holdAfter = _random.Next(0, 100);
                ChildProcess holder = Subscribe(holdAfter, killAt: null, running: false);
                Allow(holdAfter + 5000); // its records, then a ring's worth and more behind its lease
                if (!WaitUntil(() => holder.WaitForLine(ChaosSubscriber.LeasedMarker, TimeSpan.Zero), kind, kill))
                {
                    return true;
                }

                long heldBack = _board.Read(BroadcastBoard.HeldBack);
                if (!WaitUntil(() => _board.Read(BroadcastBoard.HeldBack) > heldBack, kind, kill))
                {
                    return true;
                }

                holder.Kill();
                SoakLog.WriteLine($"  kill {kill}: subscriber pid {holder.Id} {HoldingLease}, the ring full behind it at record {Committed}");

                // The replacement only once the producer got past the dead row: started at once, it could take that
                // very row (its lock is free) before the producer looks, and the dead-row path would never run.
                bool done = kind == HoldingLease ? ProducerGoesOn(kind, kill) : ProducerDiesAtPoint(ProtocolPoint.DeadRowFound, kill, kind);
                Replace(kind, kill);
                return done;
            }

            case ProducerWhileWriting:
            {
                long killAt = Allow(_random.Next(1, 3000));
                if (!WaitUntil(() => Committed >= killAt || _producer.Child.HasExited, kind, kill))
                {
                    return true;
                }

                KillProducer();
                SoakLog.WriteLine($"  kill {kill}: producer generation {_producer.Number} (pid {_producer.Child.Id}) while writing, {_board.Read(BroadcastBoard.Committed(_producer.Number))} committed");
                return TakeOver(kind, kill);
            }

            default:
            {
                // A subscriber the runtime kills where it finds the dead producer's row; the standby waits until then, so
                // the other subscribers will likely fault the channel too: the documented end, judged by what they read.
                ChildProcess armed = Subscribe(holdAfter: -1, killAt: $"{ProtocolPoint.DeadRowFound}@1", running: false);
                KillProducer();
                SoakLog.WriteLine($"  kill {kill}: producer generation {_producer.Number} (pid {_producer.Child.Id}) while writing, {_board.Read(BroadcastBoard.Committed(_producer.Number))} committed; the takeover waits for subscriber pid {armed.Id} to die at {ProtocolPoint.DeadRowFound}");
                if (!WaitUntil(() => armed.HasExited, kind, kill, expected: armed, endMayCome: true))
                {
                    return true;
                }

                armed.WaitExit(TimeSpan.Zero);
                if (!armed.DiedBySigKill)
                {
                    SoakLog.WriteLine($"  kill {kill}: subscriber pid {armed.Id} ended without reaching {ProtocolPoint.DeadRowFound} (another saw the dead writer first): counted as {ProducerWhileWriting}");
                    kind = ProducerWhileWriting;
                }

                return TakeOver(kind, kill);
            }
        }
    }

    private bool ProducerDiesAtPoint(string point, int kill, string? kind = null)
    {
        kind ??= point;
        Generation dying = _producer;
        Allow(3000); // more than the 2000 reaches its point was drawn at
        if (!WaitUntil(() => dying.Child.HasExited, kind, kill, expected: dying.Child))
        {
            return true;
        }

        dying.Child.WaitExit(TimeSpan.Zero);
        if (!dying.Child.DiedBySigKill)
        {
            if (dying.Child.ExitCode != 0)
            {
                Failed(kind, kill, $"producer generation {dying.Number} (pid {dying.Child.Id}), to be killed at {dying.KillAt}, failed with exit code {dying.Child.ExitCode}: {FirstLines(dying.Child.ErrorOutput)}", hung: false);
                return true;
            }

            _ended = true; // it wrote every record and completed the channel first
            _outcome.CountNotReached(kind);
            return false;
        }

        SoakLog.WriteLine($"  kill {kill}: producer generation {dying.Number} (pid {dying.Child.Id}) killed by the runtime at {dying.KillAt}, {_board.Read(BroadcastBoard.Committed(dying.Number))} committed");
        return TakeOver(kind, kill);
    }

    /// <summary>
    /// The producer is dead: the standby opens the writer at once. Survived when it commits a record within the bound,
    /// dies at its own point (the next kill), or finds the channel faulted (the documented end of this episode).
    /// </summary>
    private bool TakeOver(string kind, int kill)
    {
        Generation next = _standby;
        _producerDeaths.Add($"generation {_producer.Number} killed {(_producer.KillAt is string at && _producer.Child.DiedBySigKill && !_producerKilled ? $"at {at}" : "by the harness")} in kill {kill}");
        Allow(1000);
        next.Child.Go();
        _producer = next;
        _producerKilled = false;
        _standby = StartGeneration(next.Number + 1, DrawArming(), create: false);
        // Taken over when every running subscriber has read a record of the new generation: a subscriber that cannot
        // (ChannelCorruptedException after a kill inside the commit, say) fails this kill, not a later one.
        if (!WaitUntil(() => TakenOver(next) || next.Child.HasExited || _ended, kind, kill, expected: next.Child, endMayCome: true))
        {
            return true;
        }

        if (next.Child.HasExited && !next.Child.DiedBySigKill)
        {
            next.Child.WaitExit(TimeSpan.Zero);
            if (next.Child.ExitCode != 0)
            {
                Failed(kind, kill, $"producer generation {next.Number} (pid {next.Child.Id}) failed to take over, exit code {next.Child.ExitCode}: {FirstLines(next.Child.ErrorOutput)} {string.Join(" | ", next.Child.Lines.Skip(1))}", hung: false);
                return true;
            }

            _ended = true; // it found the channel faulted, or wrote the last records and completed it
        }

        // Faulted: a subscriber saw the dead writer before the standby took its row; the documented end of the episode.
        bool faulted = _ended && (_board.Read(BroadcastBoard.Closed) != 0 || _board.Read(BroadcastBoard.Committed(next.Number)) == 0);
        _outcome.CountEnding(faulted ? "channel faulted before the takeover (documented end)" : "restarted producer took over");
        if (_replacementOwed && !next.Child.HasExited)
        {
            _replacementOwed = false;
            Replace(kind, kill);
            if (_abandoned)
            {
                return true;
            }
        }

        if (faulted && next.Child.Lines.FirstOrDefault(line => line.StartsWith(ChaosBroadcaster.ClosedMarker, StringComparison.Ordinal)) is string closed)
        {
            SoakLog.WriteLine($"  kill {kill}: generation {next.Number} {closed}");
        }
        Survived(kind);
        return true;
    }

    private bool TakenOver(Generation next) =>
        _board.Read(BroadcastBoard.Committed(next.Number)) > 0 &&
        _running.All(child => _board.Read(BroadcastBoard.Reading(_subscribers.IndexOf(child))) > next.Number);

    /// <summary>After a subscriber's death the producer must write a ring's worth more (or end, or die at its own point).</summary>
    private bool ProducerGoesOn(string kind, int kill)
    {
        long target = Math.Min(_records, Allow(1000));
        Generation producer = _producer;
        if (WaitUntil(() => Committed >= target || producer.Child.HasExited, kind, kill, expected: producer.Arming is null ? null : producer.Child))
        {
            Survived(kind);
        }

        return true;
    }

    /// <summary>
    /// Starts a replacement subscriber, now if a producer is alive, else right after the next takeover: joining while the
    /// producer lies dead inside its commit (the seqlock odd) fails after a second, as documented, which is no finding.
    /// </summary>
    private void Replace(string kind, int kill)
    {
        if (_abandoned || _ended)
        {
            return;
        }

        if (_producer.Child.HasExited)
        {
            _replacementOwed = true;
            return;
        }

        try
        {
            Subscribe(holdAfter: -1, killAt: null);
        }
        catch (InvalidOperationException) when (_producer.Arming is not null && _producer.Child.DiedBySigKill)
        {
            // The producer died at its own point (inside its commit, say) while the subscriber was joining: the
            // documented refusal; it joins after the next takeover.
            _replacementOwed = true;
        }
        catch (InvalidOperationException e)
        {
            Failed(kind, kill, $"a replacement subscriber could not join: {FirstLines(e.Message)}", hung: false);
        }
    }

    /// <summary>Kills the producer (the parent's kill: the waits then expect it gone until the standby takes over).</summary>
    private void KillProducer()
    {
        _producerKilled = true;
        _producer.Child.Kill();
    }

    /// <summary>Lets the producers commit <paramref name="more"/> records past what they have; returns the new limit.</summary>
    private long Allow(long more)
    {
        long allowed = Math.Min(_records, Math.Max(_board.Read(BroadcastBoard.Allowed), Committed + more));
        _board.Write(BroadcastBoard.Allowed, allowed);
        return allowed;
    }

    private void Survived(string kind)
    {
        _outcome.Survived++;
        _outcome.Count(kind, survived: true);
    }

    /// <summary>
    /// Waits until <paramref name="done"/>, within the bound. A hang, or a participant that ends on its own (other
    /// than <paramref name="expected"/>, or a subscriber that saw the channel end), fails the kill, prints where everyone
    /// stood and abandons the episode. This process only polls the children's counters and exit states.
    /// </summary>
    private bool WaitUntil(Func<bool> done, string kind, int kill, ChildProcess? expected = null, bool endMayCome = false, TimeSpan? bound = null)
    {
        long deadline = Environment.TickCount64 + (long)(bound ?? ChaosRun.Bound).TotalMilliseconds;
        while (!done())
        {
            if (!_producerKilled && _producer.Child != expected && _producer.Child.HasExited)
            {
                _producer.Child.WaitExit(TimeSpan.Zero);
                if (_producer.Child.DiedBySigKill && _producer.Arming is not null)
                {
                    return true; // died at its own point early: that is the next kill
                }

                Failed(kind, kill, $"producer generation {_producer.Number} (pid {_producer.Child.Id}) exited by itself with code {_producer.Child.ExitCode}: {FirstLines(_producer.Child.ErrorOutput)} {string.Join(" | ", _producer.Child.Lines.Skip(1))}", hung: false);
                return false;
            }

            if (_running.FirstOrDefault(child => child.HasExited) is ChildProcess quit)
            {
                quit.WaitExit(TimeSpan.Zero);
                if (endMayCome && quit.ExitCode == 0 && TallyLine.Parse(quit.LastLine)["end"] != ChaosSubscriber.EndError)
                {
                    _ended = true; // completed, or the dead writer was seen before a new one took over: faulted
                    return true;
                }

                // A producer killed at its point and taken over in an earlier kill may have left what this subscriber
                // trips on only now (its successor died at its own point before anyone read its records): say so.
                string before = _producerDeaths.Count == 0 ? string.Empty : $" (producer deaths in this channel: {string.Join("; ", _producerDeaths)})";
                Failed(kind, kill, $"subscriber pid {quit.Id} ended before the channel did, exit code {quit.ExitCode}: {string.Join(" | ", quit.Lines.Skip(1))} {FirstLines(quit.ErrorOutput)}{before}", hung: false);
                return false;
            }

            if (Environment.TickCount64 > deadline)
            {
                Failed(kind, kill, $"hung for {(bound ?? ChaosRun.Bound).TotalSeconds:0} s. {Where()}", hung: true);
                return false;
            }

            Thread.Sleep(2);
        }

        return true;
    }

    private void Failed(string kind, int kill, string what, bool hung)
    {
        _outcome.CountFailed(kind, $"kill {kill} ({kind}) in {_name}: {what}", hung);
        _abandoned = true;
    }

    /// <summary>Where everyone stood: the producer, the channel's tail, every row, and the managed stacks of those still running.</summary>
    private string Where()
    {
        ChannelInfo? info = SharedChannel.List(_directory).FirstOrDefault(channel => channel.Name == _name);
        string channel = info is null
            ? "channel not found"
            : $"tail {info.Tail}, {info.Completion}; rows: " + string.Join(", ", info.Participants
                .Select(row => $"{row.Row} {row.Role} pid {row.Pid} {(row.IsAlive ? "alive" : "DEAD")}{(row.Mode is null ? string.Empty : $" {row.Mode} at {row.Position}")}"));
        string producer = _producer.Child.HasExited ? $"exited ({_producer.Child.ExitCode})" : "running";
        string stacks = string.Join(string.Empty, _running.Prepend(_producer.Child).Where(child => !child.HasExited)
            .Select(child => $"{Environment.NewLine}  stacks of pid {child.Id}:{Environment.NewLine}{ManagedStack.Of(child.Id)}"));
        return $"Producer generation {_producer.Number} (pid {_producer.Child.Id}) {producer}, {Committed} committed, held back {_board.Read(BroadcastBoard.HeldBack)} times. Channel: {channel}{stacks}";
    }

    /// <summary>Replaces an armed standby by one that dies nowhere, while the producer still runs.</summary>
    private void Unarm()
    {
        if (_standby.Arming is not null)
        {
            _standby.Child.Dispose();
            _standby = StartGeneration(_standby.Number, null, create: false);
        }
    }

    /// <summary>
    /// Ends the episode: the producer writes the rest and completes the channel (a producer dying at its own point on
    /// the way is taken over as usual), every subscriber reports, and each report is judged.
    /// </summary>
    private void Finish()
    {
        _board.Write(BroadcastBoard.Allowed, _records);
        while (!_abandoned && !_ended)
        {
            Generation producer = _producer;
            Unarm();
            if (!WaitUntil(() => producer.Child.HasExited, "(end of the episode)", 0, expected: producer.Child, endMayCome: true, bound: CheckedChannel.FinishBound))
            {
                break;
            }

            if (!producer.Child.DiedBySigKill)
            {
                _ended = true;
                break;
            }

            SoakLog.WriteLine($"  producer generation {producer.Number} killed by the runtime at {producer.KillAt} after the last kill: taken over");
            producer.Child.WaitExit(TimeSpan.Zero);
            _standby.Child.Go();
            _producer = _standby;
            _standby = StartGeneration(_producer.Number + 1, null, create: false);
        }

        foreach (ChildProcess subscriber in _running)
        {
            if (_abandoned)
            {
                continue;
            }

            if (!subscriber.WaitExit(CheckedChannel.FinishBound))
            {
                _outcome.Hung++;
                _outcome.Fail($"end of {_name}: subscriber pid {subscriber.Id} did not end within {CheckedChannel.FinishBound.TotalSeconds:0} s after the channel did. {Where()}");
                continue;
            }

            Dictionary<string, long> counts = TallyLine.Parse(subscriber.LastLine);
            long broken = counts["duplicated"] + counts["reordered"] + counts["corrupt"] + counts["phantom"] + (counts["end"] == ChaosSubscriber.EndError ? 1 : 0);
            _outcome.LostCommitted += counts["missing"];
            _outcome.Broken += broken;
            if (counts["missing"] + broken > 0 || subscriber.ExitCode != 0)
            {
                _outcome.Fail($"{_name}: subscriber pid {subscriber.Id} (exit code {subscriber.ExitCode}): {string.Join(" | ", subscriber.Lines.Skip(1))} {FirstLines(subscriber.ErrorOutput)}");
            }
        }

        bool faulted = _running.Any(child => child.HasExited && child.ExitCode == 0 && TallyLine.Parse(child.LastLine)["end"] == ChaosSubscriber.EndFaulted);
        SoakLog.WriteLine($"  {_name}: {_producer.Number + 1} producer generations, {_subscribers.Count} subscribers, {Committed} records committed, " +
            $"{(_abandoned ? "abandoned after a failure" : faulted ? "ended faulted" : "completed")}");
    }

    private ChildProcess Subscribe(long holdAfter, string? killAt, bool running = true)
    {
        ChildProcess child = ChildProcess.StartKillingAt(killAt, ChaosSubscriber.Verb, _directory, _name, _boardPath, _subscribers.Count, holdAfter);
        _subscribers.Add(child);
        if (running)
        {
            _running.Add(child);
        }

        return child;
    }

    private string? DrawArming() => Armings[_random.Next(Armings.Length)];

    private Generation StartGeneration(int number, string? arming, bool create)
    {
        // A point reached on every record dies within its first 2000; row.dead-found at the first dead row it finds.
        string? killAt = arming is null ? null : arming == ProtocolPoint.DeadRowFound ? $"{arming}@1" : $"{arming}@{_random.Next(1, 2000)}";
        ChildProcess child = ChildProcess.StartKillingAt(killAt, ChaosBroadcaster.Verb, _directory, _name, _boardPath, number, _records, create ? "create" : "standby");
        _producers.Add(child);
        return new Generation(number, arming, killAt, child);
    }

    private static string FirstLines(string text) => string.Join(" | ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Take(3));

    /// <summary>A producer generation: its number (its records' producer id), the point it will die at, if any, and its process.</summary>
    private sealed record Generation(int Number, string? Arming, string? KillAt, ChildProcess Child);
}
