using System;
using NeoBuffer.Format;
using NeoBuffer.Segments;

namespace NeoBuffer.Ring;

/// <summary>
/// Takes a role in a segment and builds the matching half of its topology's protocol, in the row
/// <see cref="ParticipantTable"/> assigns the role.
/// </summary>
internal static class RingAttachment
{
    public static unsafe (IRingProducer Producer, ParticipantRole Role) Producer(SharedSegment segment, SharedChannelOptions options)
    {
        ChannelTopology topology = segment.Geometry.Topology;
        ParticipantRole role = topology == ChannelTopology.MultiProducerSingleConsumer
            ? ParticipantRole.AcquireAny(segment, ParticipantTable.MpscFirstWriterRow, ParticipantRow.KindProducer, "writer")
            : ParticipantRole.Acquire(segment, topology == ChannelTopology.Broadcast ? ParticipantTable.BroadcastWriterRow : ParticipantTable.SpscWriterRow, ParticipantRow.KindProducer, "writer");
        return (Build(role, () => topology switch
        {
            ChannelTopology.MultiProducerSingleConsumer => MpscProducer.Open(new RingMemory(segment, RecordFraming.PlainFrame), role.Row, options.WriterFailsWhenReaderDies),
            ChannelTopology.Broadcast => BroadcastRing.ForProducer(new RingMemory(segment, RecordFraming.SequencedFrame), segment),
            _ => (IRingProducer)SpscProducer.Open(new RingMemory(segment, RecordFraming.PlainFrame), options.WriterFailsWhenReaderDies),
        }), role);
    }

    public static unsafe (IRingConsumer Consumer, ParticipantRole Role) Consumer(SharedSegment segment, SharedChannelOptions options)
    {
        ChannelTopology topology = segment.Geometry.Topology;
        ParticipantRole role = topology switch
        {
            ChannelTopology.MultiProducerSingleConsumer => ParticipantRole.Acquire(segment, ParticipantTable.MpscReaderRow, ParticipantRow.KindConsumer, "reader"),
            ChannelTopology.Broadcast => ParticipantRole.AcquireAny(segment, ParticipantTable.BroadcastFirstSubscriberRow, ParticipantRow.KindConsumer, "subscriber"),
            _ => ParticipantRole.Acquire(segment, ParticipantTable.SpscReaderRow, ParticipantRow.KindConsumer, "reader"),
        };
        return (Build(role, () => topology switch
        {
            ChannelTopology.MultiProducerSingleConsumer => MpscConsumer.Open(new RingMemory(segment, RecordFraming.PlainFrame), role.Row),
            ChannelTopology.Broadcast => BroadcastRing.ForSubscriber(new RingMemory(segment, RecordFraming.SequencedFrame), segment, role.Row,
                lossy: options.SubscriberMode == SubscriberMode.Lossy, fromOldest: options.SubscriberStart == SubscriberStart.Oldest),
            _ => (IRingConsumer)SpscConsumer.Open(new RingMemory(segment, RecordFraming.PlainFrame)),
        }), role);
    }

    // A protocol that refuses the segment's state (say, corrupted positions) must not keep the role.
    private static T Build<T>(ParticipantRole role, Func<T> build)
    {
        try
        {
            return build();
        }
        catch
        {
            role.Release();
            throw;
        }
    }
}
