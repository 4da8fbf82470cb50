namespace NeoBuffer.Bench.Chaos;

/// <summary>
/// What a chaos run found. Survived: kills after which the channel went on within the bound (a replacement's records
/// arrived; in broadcast, the producer went on and the replacement later got every record from its first).
/// LostCommitted: records committed by a participant that were never received (for a killed producer, those up to what
/// its counter says it committed). Hung: waits that ran past the bound. Broken: duplicates, reorderings and bad
/// checksums, which no kill excuses.
/// </summary>
internal sealed class ChaosOutcome(int kills)
{
    public int Kills { get; } = kills;

    public int Survived { get; set; }

    public long LostCommitted { get; set; }

    public int Hung { get; set; }

    public long Broken { get; set; }

    public bool Kept => Survived == Kills && LostCommitted == 0 && Hung == 0 && Broken == 0;

    public override string ToString() => $"survived={Survived}/{Kills} lost-committed={LostCommitted} hung={Hung}";
}
