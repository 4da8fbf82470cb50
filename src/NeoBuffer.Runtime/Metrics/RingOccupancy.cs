using System;
using System.Threading;
using NeoBuffer.Format;
using NeoBuffer.Ring;
using NeoBuffer.Segments;

namespace NeoBuffer.Metrics;

/// <summary>
/// How many ring bytes lie between the slowest reader and the tail (<c>neobuffer.ring.used</c>), read from the header
/// and participant table without touching the protocol objects, which belong to their owner thread.
/// </summary>
/// <remarks>
/// Each reading loads the reader's position before the tail: both only grow, so the tail read second is never behind
/// the position read first, and the difference is never negative for an honest peer. A dishonest peer can write
/// anything into the header, so the result is clamped to [0, capacity]: a metric must not throw or lie wildly.
/// </remarks>
internal static unsafe class RingOccupancy
{
    // MpscClaimTail.ClosedBit: completion sets it in ClaimTail, so it is masked off as SegmentDirectory does.

    /// <summary>
    /// The bytes written and not yet read by the slowest reader. Broadcast: behind the slowest subscriber of either
    /// mode (a lapped lossy subscriber counts as a full ring), 0 with none. The segment must stay mapped meanwhile.
    /// </summary>
    public static long UsedBytes(SharedSegment segment) =>
        UsedBytes(segment.Header, segment.Row(0), segment.Geometry.ParticipantRows, segment.Geometry.Topology, segment.Geometry.Capacity);

    /// <summary>
    /// The same from a header and participant table mapped by anyone (a tool's read-only mapping too): only loads, each
    /// of one aligned word, and every value clamped, so a header a peer scribbled on gives a wrong figure, never a fault.
    /// </summary>
    public static long UsedBytes(ChannelHeader* header, ParticipantRow* table, int rows, ChannelTopology topology, long capacity)
    {
        long used = topology switch
        {
            ChannelTopology.MultiProducerSingleConsumer => Behind(Volatile.Read(ref header->Head), ref header->ClaimTail, MpscClaimTail.ClosedBit),
            ChannelTopology.Broadcast => BehindSlowestSubscriber(header, table, rows),
            _ => Behind(Volatile.Read(ref header->Head), ref header->Tail, 0),
        };
        return Math.Clamp(used, 0, capacity);
    }

    private static long Behind(long position, ref long tail, long flags) => (Volatile.Read(ref tail) & ~flags) - position;

    // Row 0 is the broadcast producer's. A subscriber counts once it has published its mode (its position is stored
    // before); a row being released meanwhile may already read position -1, and is skipped rather than read as a lap.
    private static long BehindSlowestSubscriber(ChannelHeader* header, ParticipantRow* table, int rows)
    {
        long slowest = long.MaxValue;
        for (int index = ParticipantTable.BroadcastFirstSubscriberRow; index < rows; index++)
        {
            ParticipantRow* row = table + index;
            int mode = Volatile.Read(ref row->Mode);
            if (Volatile.Read(ref row->State) == ParticipantRow.StateActive &&
                (mode == ParticipantRow.ModeTethered || mode == ParticipantRow.ModeLossy) &&
                Volatile.Read(ref row->Position) is long position and >= 0)
            {
                slowest = Math.Min(slowest, position);
            }
        }

        return slowest == long.MaxValue ? 0 : Behind(slowest, ref header->Tail, 0);
    }
}
