using System;
using System.IO;

namespace NeoBuffer;

/// <summary>
/// How a channel is created and opened. Properties marked "create only" are stored in the channel header by its
/// creator and ignored when opening: openers take them from the header.
/// </summary>
public sealed class SharedChannelOptions
{
    /// <summary>The default ring capacity: 1 MiB.</summary>
    public const long DefaultCapacity = 1 << 20;

    private long _capacity = DefaultCapacity;
    private int? _maxMessageSize;
    private int _spinCount = 100;
    private int _maxProducers = 16;
    private int _maxSubscribers = 64;

    /// <summary>
    /// Directory of the segment file. Default: the <c>NEOBUFFER_DIR</c> environment variable, else <c>/dev/shm</c>.
    /// Every participant must use the same directory.
    /// </summary>
    public string? Directory { get; set; }

    /// <summary>
    /// Create only. Ring size in bytes: a power of two from 4 KiB to 16 GiB. Default 1 MiB. A message may take a
    /// little under half the ring (room for it plus the padding at the wrap), so size it for the frames you stream: an
    /// 8 MiB frame needs at least 32 MiB, and more lets the producer run ahead of the consumers. A stream of small
    /// messages between CPUs far apart can also gain from a larger ring: on one 2-vCPU host whose two CPUs took 0.55 us
    /// for a cache-line round trip, 64 B messages one per call went from a median of 9 M a second (rounds 8-14 M) to
    /// 34 M (rounds 12.5-50 M) with 64 MiB instead of 1 MiB; when its CPUs were placed close (0.16 us), 1 MiB already
    /// gave 51-60 M.
    /// </summary>
    public long Capacity
    {
        get => _capacity;
        set
        {
            if (value < 4096 || value > (1L << 34) || (value & (value - 1)) != 0)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Capacity must be a power of two from 4096 to 16 GiB.");
            }

            _capacity = value;
        }
    }

    /// <summary>
    /// Create only. Largest payload in bytes one message may have. Default: the largest the ring can always place, padding
    /// at the wrap included (a little under half of <see cref="Capacity"/>).
    /// </summary>
    public int MaxMessageSize
    {
        get => _maxMessageSize ?? LargestMessageFor(_capacity);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _maxMessageSize = value;
        }
    }

    /// <summary>Create only. Permissions of the segment file. Default: owner read and write (0600).</summary>
    public UnixFileMode Permissions { get; set; } = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Keep the segment file when the last participant closes (for tools, or to reopen later). Default false.</summary>
    public bool KeepSegment { get; set; }

    /// <summary>
    /// How long a waiter spins before it parks in the kernel, in rounds of about 0.4 us on the machines we measured (a
    /// round is eight checks of the ring, each after a pause of about 50 ns; every 64th pause yields the processor to
    /// other threads instead). Spinning saves the ~20 us of a park and wake but takes a core from the peer it waits
    /// for, which hurts when processes outnumber cores (the yields soften that). Default 100 (about
    /// 40 us); 0 parks at once; raise it for lowest latency with a core to spare per waiter. The request path's spins
    /// (a client waiting for its response, a server's <c>ServeAsync</c> between requests) poll finer within the same
    /// rounds: twenty checks a round, each after one <c>pause</c> instruction (about 20 ns).
    /// </summary>
    public int SpinCount
    {
        get => _spinCount;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _spinCount = value;
        }
    }

    /// <summary>
    /// Create only. Who writes and who reads: one writer and one reader (the default), many writers and one reader, or
    /// one writer and many subscribers that each see every message.
    /// </summary>
    public ChannelTopology Topology { get; set; } = ChannelTopology.SingleProducerSingleConsumer;

    /// <summary>Create only. How many writers a <see cref="ChannelTopology.MultiProducerSingleConsumer"/> channel admits at once. Default 16.</summary>
    public int MaxProducers
    {
        get => _maxProducers;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1000);
            _maxProducers = value;
        }
    }

    /// <summary>Create only. How many subscribers a <see cref="ChannelTopology.Broadcast"/> channel admits at once. Default 64.</summary>
    public int MaxSubscribers
    {
        get => _maxSubscribers;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1000);
            _maxSubscribers = value;
        }
    }

    /// <summary>
    /// Writers of SPSC and MPSC channels: when the ring is full and its reader has died, or has left (disposed) with no
    /// other reader in its place, fail the wait with a <see cref="System.Threading.Channels.ChannelClosedException"/>
    /// instead of waiting for a new reader. A channel whose first reader has not attached yet is waited on. Default true.
    /// </summary>
    public bool WriterFailsWhenReaderDies { get; set; } = true;

    /// <summary>Broadcast readers: whether the producer waits for this subscriber. Default <see cref="SubscriberMode.Tethered"/>.</summary>
    public SubscriberMode SubscriberMode { get; set; } = SubscriberMode.Tethered;

    /// <summary>Broadcast readers: where this subscriber starts. Default <see cref="SubscriberStart.Live"/>.</summary>
    public SubscriberStart SubscriberStart { get; set; } = SubscriberStart.Live;

    /// <summary>The largest payload a ring of <paramref name="capacity"/> bytes accepts.</summary>
    public static int LargestMessageFor(long capacity) =>
        (int)Math.Min(int.MaxValue - 4096, (capacity - 256) / 2 - 16);

    /// <summary>Rows in the participant table of a new channel of <see cref="Topology"/>.</summary>
    internal int ParticipantRows => Format.ParticipantTable.RowsFor(Topology, MaxProducers, MaxSubscribers);

    /// <summary>
    /// Whether opening with these options first sweeps the directory of stale segments (creating always does). Off only
    /// where the name to open comes from a peer's record (a server opening a client's channel): a record any writer of
    /// the service ring can send must not cost the server a pass over the whole directory.
    /// </summary>
    internal bool SweepsDirectory { get; init; } = true;

    internal static SharedChannelOptions Default { get; } = new();
}
