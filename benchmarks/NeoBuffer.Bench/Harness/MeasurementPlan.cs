using System;

namespace NeoBuffer.Bench.Harness;

/// <summary>
/// How much to measure. A run has several rounds; in each round every transport runs one session (a fresh child
/// process) of untimed warm-up blocks and then timed blocks, and a row reports the median over the timed blocks of all
/// rounds. Rounds interleave the transports in time: on a VM whose vCPUs the host moves (cross-core latency here
/// jumps between about 0.17 and 0.55 us from one minute to the next), a ratio of two rows then compares like with
/// like. Blocks are sized so one lasts roughly 0.05-0.2 s (quick) or 0.2-0.6 s (full) at the rates this machine reaches,
/// and at least 1 s in a full run's 64 KiB and 8 MiB sessions.
/// </summary>
internal sealed class MeasurementPlan
{
    public const int Small = 64;
    public const int Medium = 64 * 1024;
    public const int Large = 8 * 1024 * 1024;

    private readonly int _scale;

    private MeasurementPlan(bool quick, int rounds, int blocks, int warmupBlocks, int scale)
    {
        IsQuick = quick;
        Rounds = rounds;
        Blocks = blocks;
        WarmupBlocks = warmupBlocks;
        _scale = scale;
    }

    public static MeasurementPlan Quick { get; } = new(quick: true, rounds: 3, blocks: 2, warmupBlocks: 1, scale: 1);

    public static MeasurementPlan Full { get; } = new(quick: false, rounds: 5, blocks: 2, warmupBlocks: 1, scale: 6);

    public bool IsQuick { get; }

    public int Rounds { get; }

    /// <summary>Timed blocks per session.</summary>
    public int Blocks { get; }

    /// <summary>Untimed blocks at the start of each session (a throughput session's: <see cref="WarmupBlocksFor"/>).</summary>
    public int WarmupBlocks { get; }

    /// <summary>
    /// The fewest messages a throughput session runs untimed. A fresh child's runtime compiles each method it calls per
    /// message twice more after its first calls (instrumented, then optimized), on its background tiering thread, which
    /// shares the child's pinned CPU with the producer. A NeoBuffer producer child compiled about 200-240 methods (25-50
    /// ms of JIT) in its first 40 to 130 messages of 8 MiB and none later, in every one of nine sessions measured; with
    /// one warm-up block of 40 messages, about a third of the first timed block went to the JIT, and the ring measured
    /// 0.79-0.85x the handoff baseline in quick runs instead of 0.89-0.97x (docs/benchmarks/notes.md, "The warm-up of
    /// large messages"). It lengthens only sessions with blocks of fewer messages: the quick 8 MiB ones (NetMQ's
    /// excepted, see <see cref="WarmupBlocksFor"/>).
    /// </summary>
    public const int MinWarmupMessages = 240;

    /// <summary>
    /// Untimed blocks of <paramref name="block"/> messages before a throughput session's timed ones: <see cref="WarmupBlocks"/>,
    /// but at least <see cref="MinWarmupMessages"/> messages unless <paramref name="floor"/> is false. NetMQ's 8 MiB
    /// sessions go without the floor: each of their messages takes tens of milliseconds, so their one warm-up block lasts
    /// as long as the others' six, and its PUSH socket would queue the extra messages (up to 2.5 GB of them) in the child.
    /// </summary>
    public int WarmupBlocksFor(long block, bool floor = true) =>
        floor ? (int)Math.Max(WarmupBlocks, (MinWarmupMessages + block - 1) / block) : WarmupBlocks;

    public static int[] MessageSizes { get; } = [Small, Medium, Large];

    /// <summary>
    /// Ring capacity for a message size; the memcpy baseline copies into a region of the same size, so both work on the
    /// same amount of memory. 64 B: the default 1 MiB. 64 KiB: 4 MiB. 8 MiB: 32 MiB, the least that holds it.
    /// </summary>
    public static long RingCapacity(int messageBytes) => messageBytes switch
    {
        <= Small => 1 << 20,
        <= Medium => 4 << 20,
        _ => 32 << 20,
    };

    /// <summary>
    /// The ring of the 64 B <c>neobuffer-64mib-ring</c> row. On the AMD host's far placement one message per call rose
    /// with the ring from about 9-14 M msgs/s (1 MiB) to 37-60 M at 32 MiB and about 60 M at 64 MiB in quick runs (a
    /// full run's median 34 M, rounds 12.5-49.9 M), near what the near placement's 1 MiB ring gives
    /// (docs/benchmarks/notes.md, "Ring size and the far placement").
    /// </summary>
    public const long LargeSmallMessageRing = 64 << 20;

    /// <summary>
    /// 8 MiB messages per quick timed block over NetMQ: fewer than the other transports' 20-60, since each takes NetMQ
    /// several milliseconds (its I/O threads copy it through TCP loopback); the report says so.
    /// </summary>
    public const int NetMqLargeBlock = 5;

    /// <summary>Messages per timed throughput block.</summary>
    public long ThroughputBlock(string transport, int messageBytes)
    {
        long quick = (transport, messageBytes) switch
        {
            (Report.Scenarios.NeoBuffer, Small) => 2_000_000,
            (Report.Scenarios.NeoBufferBatch, Small) => 4_000_000,
            (Report.Scenarios.NeoBufferLargeRing, Small) => 2_000_000,
            (Report.Scenarios.NeoBuffer, Medium) => 20_000,
            (Report.Scenarios.NeoBuffer, _) => 40,
            (Report.Scenarios.Uds, Small) => 30_000,
            (Report.Scenarios.Uds, Medium) => 10_000,
            (Report.Scenarios.Uds, _) => 20,
            (Report.Scenarios.Pipe, Small) => 30_000,
            (Report.Scenarios.Pipe, Medium) => 5_000,
            (Report.Scenarios.Pipe, _) => 20,
            (Report.Scenarios.NetMq, Small) => 200_000,
            (Report.Scenarios.NetMq, Medium) => 2_000,
            (Report.Scenarios.NetMq, _) => NetMqLargeBlock,
            (Report.Scenarios.Memcpy, Small) => 5_000_000,
            (Report.Scenarios.Memcpy, Medium) => 40_000,
            (Report.Scenarios.Memcpy, _) => 60,
            (Report.Scenarios.Handoff, Medium) => 20_000,
            (Report.Scenarios.Handoff, Large) => 40,
            _ => throw new ArgumentOutOfRangeException(nameof(transport), transport, "No throughput plan for this transport."),
        };
        return quick * _scale * (IsQuick ? 1 : WindowFactor(transport, messageBytes));
    }

    /// <summary>
    /// How much longer a full run's blocks are than its plain scale makes them, so that the two timed blocks of a 64 KiB
    /// or 8 MiB session last at least 2 s together (at the scale alone, about 0.5 s: a single stall of the loaded host
    /// weighed as much as a whole block). NetMQ's are long enough already (its 8 MiB messages take milliseconds each).
    /// </summary>
    private static int WindowFactor(string transport, int messageBytes) => (transport, messageBytes) switch
    {
        (_, Small) => 1,
        (Report.Scenarios.NetMq, _) => 1,
        (Report.Scenarios.Pipe, _) => 4,
        (_, Medium) => 4,
        _ => 10,
    };

    /// <summary>8 MiB frames per timed block of the broadcast run (the producer's count), whatever the number of subscribers.</summary>
    public long FramesBlock => 40L * _scale * (IsQuick ? 1 : 4);

    /// <summary>64 B messages per timed block of the MPSC run (the consumer's count; a multiple of 1, 2 and 4 producers).</summary>
    public long MpscBlock => 2_000_000L * _scale;

    /// <summary>Subscriber counts of the broadcast run.</summary>
    public static int[] SubscriberCounts { get; } = [1, 2, 4, 8];

    /// <summary>How long the <c>parked</c> run leaves its parked readers idle while it measures their CPU time.</summary>
    public TimeSpan IdleWindow => TimeSpan.FromSeconds(IsQuick ? 3 : 10);

    /// <summary>Producer counts of the MPSC run.</summary>
    public static int[] ProducerCounts { get; } = [1, 2, 4];

    /// <summary>Round trips per timed latency block.</summary>
    public int RoundTripBlock(string transport, ReaderWait wait = ReaderWait.Spinning)
    {
        int quick = transport switch
        {
            // The parked run's rows (a socket's included): each round trip costs two wake-ups, 25-100 us on this loaded VM.
            _ when wait == ReaderWait.Parked => 2_000,
            Report.Scenarios.NeoBuffer or Report.Scenarios.PingPong => 100_000,
            Report.Scenarios.Uds or Report.Scenarios.Pipe => 5_000,
            Report.Scenarios.NetMq => 2_000,
            _ => throw new ArgumentOutOfRangeException(nameof(transport), transport, "No round-trip plan for this transport."),
        };
        return quick * _scale;
    }
}
