using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using NeoBuffer.Ring;
using NeoBuffer.Segments;

namespace NeoBuffer.Metrics;

/// <summary>
/// One endpoint's counts for the <c>NeoBuffer</c> meter: messages and payload bytes it wrote (a writer) or read (a
/// reader or subscriber), and waits that parked. The endpoint bumps them on its own thread with plain adds, which is
/// all the hot path pays; the observable instruments read them from whichever thread collects.
/// </summary>
/// <remarks>
/// Why plain longs are enough: an endpoint is not thread-safe, so each count has one writer at a time and needs no
/// interlocked add. The collector's read races with that writer, benignly: a long field of a class is 8-byte aligned,
/// and an aligned 64-bit load or store is atomic on the 64-bit platforms NeoBuffer runs on (x86-64, arm64), so a
/// reading is never torn. It may be a few messages stale, which the next collection makes up; each count only grows,
/// so no reading is ever ahead of what happened.
/// </remarks>
internal sealed class EndpointMetrics
{
    private readonly KeyValuePair<string, object?>[] _tags;
    private readonly SharedSegment _segment;
    private readonly IRingConsumer? _lossyConsumer;
    private long _messages;
    private long _bytes;
    private long _parkedWaits;

    private EndpointMetrics(ChannelRole role, SharedSegment segment, ParticipantRole participant, IRingConsumer? lossyConsumer)
    {
        Role = role;
        _segment = segment;
        _lossyConsumer = lossyConsumer;
        _tags = EndpointTags.For(segment.Name, segment.Geometry.Topology, role, RowOf(segment, participant));
    }

    /// <summary>Counts for a writer; it reports how full the ring is too.</summary>
    public static EndpointMetrics ForWriter(SharedSegment segment, ParticipantRole participant) =>
        new(ChannelRole.Writer, segment, participant, lossyConsumer: null);

    /// <summary>Counts for a reader or subscriber; a lossy subscriber reports what its ring half counts as lost too.</summary>
    public static EndpointMetrics ForReader(SharedSegment segment, ParticipantRole participant, IRingConsumer consumer, bool isLossy) =>
        new(EndpointRoles.Of(isProducer: false, segment.Geometry.Topology), segment, participant, isLossy ? consumer : null);

    public ChannelRole Role { get; }

    /// <summary>The tags of every measurement of this endpoint.</summary>
    public KeyValuePair<string, object?>[] Tags => _tags;

    public long Messages => Volatile.Read(ref _messages);

    public long Bytes => Volatile.Read(ref _bytes);

    public long ParkedWaits => Volatile.Read(ref _parkedWaits);

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
        _messages++;
        _bytes += length;
    }

    /// <summary>One wait that went to sleep on the futex. Owner thread only.</summary>
    public void CountParkedWait() => _parkedWaits++;

    // ParticipantRole keeps its row to itself; the pointer it holds identifies the row just as well.
    private static unsafe int RowOf(SharedSegment segment, ParticipantRole participant)
    {
        for (int row = 0; row < segment.Geometry.ParticipantSlots; row++)
        {
            if (segment.Slot(row) == participant.Slot)
            {
                return row;
            }
        }

        return -1;
    }
}
