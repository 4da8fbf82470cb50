using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using NeoBuffer.Format;
using NeoBuffer.Ring;
using NeoBuffer.Segments;

namespace NeoBuffer.Metrics;

/// <summary>
/// One endpoint's counts for the <c>NeoBuffer</c> meter: messages and payload bytes it wrote (a writer) or read (a
/// reader or subscriber), and waits that parked. They live in the endpoint's own row of the participant table
/// (docs/format.md, "Participant table"), so the meter of this process and a tool in another one read the same count.
/// The endpoint bumps them on its own thread with plain adds, which is all the hot path pays; the observable
/// instruments read them from whichever thread collects.
/// </summary>
/// <remarks>
/// Why plain stores are enough: an endpoint is not thread-safe, so each count has one writer at a time and needs no
/// interlocked add. A reader (the collector, or a tool in another process) races with that writer, benignly: the
/// counters are 8-byte aligned in the row, and an aligned 64-bit load or store is atomic on the 64-bit platforms
/// NeoBuffer runs on (x86-64, arm64), so a reading is never torn. It may be a few messages stale, which the next
/// collection makes up; each count only grows while the endpoint holds the row, so no reading is ever ahead of what
/// happened. The row's counters share their line only with fields the same holder writes, so counting never pulls a
/// line away from a peer.
/// </remarks>
internal sealed unsafe class EndpointMetrics
{
    private readonly KeyValuePair<string, object?>[] _tags;
    private readonly SharedSegment _segment;
    private readonly BroadcastSubscriber? _lossyConsumer;
    private readonly ParticipantRow* _counters;

    private EndpointMetrics(ChannelRole role, SharedSegment segment, ParticipantRole participant, BroadcastSubscriber? lossyConsumer)
    {
        Role = role;
        _segment = segment;
        _lossyConsumer = lossyConsumer;
        _counters = participant.Row;
        _tags = EndpointTags.For(segment.Name, segment.Geometry.Topology, role, RowOf(segment, participant));
    }

    /// <summary>Counts for a writer; it reports how full the ring is too.</summary>
    public static EndpointMetrics ForWriter(SharedSegment segment, ParticipantRole participant) =>
        new(ChannelRole.Writer, segment, participant, lossyConsumer: null);

    /// <summary>Counts for a reader or subscriber; a lossy subscriber reports what its ring half counts as lost too.</summary>
    public static EndpointMetrics ForReader(SharedSegment segment, ParticipantRole participant, RingConsumer consumer, bool isLossy) =>
        new(EndpointRoles.Of(isProducer: false, segment.Geometry.Topology), segment, participant, isLossy ? consumer as BroadcastSubscriber : null);

    public ChannelRole Role { get; }

    /// <summary>The tags of every measurement of this endpoint.</summary>
    public KeyValuePair<string, object?>[] Tags => _tags;

    public long Messages => Volatile.Read(ref _counters->Messages);

    public long Bytes => Volatile.Read(ref _counters->Bytes);

    public long ParkedWaits => Volatile.Read(ref _counters->ParkedWaits);

    /// <summary>
    /// Messages a lossy subscriber lost, as its ring half counts them (the value <see cref="SharedChannelReader.LostMessages"/>
    /// shows: a plain field of that object, so the same benign race); null for every other endpoint.
    /// </summary>
    public long? LostMessages => _lossyConsumer?.Lost;

    /// <summary>
    /// For a writer, the ring bytes its slowest reader has still to read; null for readers. Reads shared memory, so the
    /// caller must know the endpoint is not disposed meanwhile (<see cref="LiveEndpoints"/> does).
    /// </summary>
    public long? RingUsedBytes => Role == ChannelRole.Writer ? RingOccupancy.UsedBytes(_segment) : null;

    /// <summary>One message of <paramref name="length"/> payload bytes written or read. Owner thread only.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void CountMessage(int length)
    {
        ParticipantRow* counters = _counters;
        counters->Messages++;
        counters->Bytes += length;
    }

    /// <summary>A batch of <paramref name="count"/> messages of <paramref name="bytes"/> payload bytes in all. Owner thread only.</summary>
    public void CountMessages(int count, long bytes)
    {
        ParticipantRow* counters = _counters;
        counters->Messages += count;
        counters->Bytes += bytes;
    }

    /// <summary>One wait that went to sleep on the futex. Owner thread only.</summary>
    public void CountParkedWait() => _counters->ParkedWaits++;

    // ParticipantRole keeps its row to itself; the pointer it holds identifies the row just as well.
    private static unsafe int RowOf(SharedSegment segment, ParticipantRole participant)
    {
        for (int row = 0; row < segment.Geometry.ParticipantRows; row++)
        {
            if (segment.Row(row) == participant.Row)
            {
                return row;
            }
        }

        return -1;
    }
}
