using System;
using System.Collections.Generic;
using System.Linq;

namespace NeoBuffer.Soak.Tests;

/// <summary>
/// What a chaos run found. Survived: kills after which the channel went on within the bound (a replacement's records
/// arrived; in broadcast, the producer went on or the channel ended as documented, and every subscriber got what was
/// committed). LostCommitted: records committed by a participant that were never received (for a killed producer, those
/// up to what its counter says it committed). Hung: waits that ran past the bound. Broken: duplicates, reorderings, bad
/// checksums and phantoms, which no kill excuses. Every kill is also counted under its kind (its protocol point, or
/// "while writing" and the like for the untargeted kills), so a failure names the recovery path that failed.
/// </summary>
internal sealed class ChaosOutcome(int kills)
{
    private const int MaxFailures = 20;
    private readonly Dictionary<string, KindCounts> _kinds = new(StringComparer.Ordinal);
    private readonly List<string> _failures = [];
    private readonly Dictionary<string, int> _endings = new(StringComparer.Ordinal);

    public int Kills { get; } = kills;

    public int Survived { get; set; }

    public long LostCommitted { get; set; }

    public int Hung { get; set; }

    public long Broken { get; set; }

    public bool Kept => Survived == Kills && LostCommitted == 0 && Hung == 0 && Broken == 0;

    /// <summary>Counts a kill of <paramref name="kind"/> (done), and whether the channel survived it.</summary>
    public void Count(string kind, bool survived, bool hung = false)
    {
        KindCounts counts = For(kind);
        counts.Kills++;
        counts.Survived += survived ? 1 : 0;
        counts.Hung += hung ? 1 : 0;
    }

    /// <summary>
    /// Counts a kill of <paramref name="kind"/> the channel did not survive: a hang, or else a broken participant, and
    /// the failure line for the end of the run.
    /// </summary>
    public void CountFailed(string kind, string failure, bool hung)
    {
        Count(kind, survived: false, hung);
        Hung += hung ? 1 : 0;
        Broken += hung ? 0 : 1;
        Fail(failure);
    }

    /// <summary>A kill drawn at a point the victim never reached (it finished first): not a kill, shown apart.</summary>
    public void CountNotReached(string kind) => For(kind).NotReached++;

    /// <summary>Counts how a survived kill ended (e.g. broadcast: the restarted producer took over, or the channel faulted).</summary>
    public void CountEnding(string ending) => _endings[ending] = _endings.GetValueOrDefault(ending) + 1;

    /// <summary>Keeps the first failures, each said once, for the end of the run.</summary>
    public void Fail(string failure)
    {
        SoakLog.WriteLine($"  FAILED: {failure}");
        if (_failures.Count < MaxFailures)
        {
            _failures.Add(failure);
        }
    }

    /// <summary>One line per kind: kills, survived, hung (and drawn kills whose point was never reached), then the failures.</summary>
    public void PrintKinds()
    {
        SoakLog.WriteLine("kills by kind:");
        int width = _kinds.Keys.Select(kind => kind.Length).DefaultIfEmpty(0).Max();
        foreach ((string kind, KindCounts counts) in _kinds.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            string notReached = counts.NotReached > 0 ? $" not-reached={counts.NotReached}" : string.Empty;
            SoakLog.WriteLine($"  {kind.PadRight(width)}  kills={counts.Kills} survived={counts.Survived} hung={counts.Hung}{notReached}");
        }

        foreach ((string ending, int count) in _endings.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            SoakLog.WriteLine($"  after a producer kill: {ending}: {count}");
        }

        if (_failures.Count > 0)
        {
            SoakLog.WriteLine($"first failures ({_failures.Count}):");
            _failures.ForEach(failure => SoakLog.WriteLine($"  {failure}"));
        }
    }

    public override string ToString() => $"survived={Survived}/{Kills} lost-committed={LostCommitted} hung={Hung}";

    private KindCounts For(string kind)
    {
        if (!_kinds.TryGetValue(kind, out KindCounts? counts))
        {
            _kinds.Add(kind, counts = new KindCounts());
        }

        return counts;
    }

    private sealed class KindCounts
    {
        public int Kills { get; set; }

        public int Survived { get; set; }

        public int Hung { get; set; }

        public int NotReached { get; set; }
    }
}
