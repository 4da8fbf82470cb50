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
    public static unsafe (RingProducer Producer, ParticipantRole Role) Producer(SharedSegment segment, SharedChannelOptions options)
    {
        ChannelTopology topology = segment.Geometry.Topology;
        ParticipantRole role = topology == ChannelTopology.MultiProducerSingleConsumer
            ? ParticipantRole.AcquireAny(segment, ParticipantTable.MpscFirstWriterRow, ParticipantRow.KindProducer, "writer")
            : ParticipantRole.Acquire(segment, topology == ChannelTopology.Broadcast ? ParticipantTable.BroadcastWriterRow : ParticipantTable.SpscWriterRow, ParticipantRow.KindProducer, "writer");
        return (Build(role, () => topology switch
        {
            ChannelTopology.MultiProducerSingleConsumer => MpscProducer.Open(new RingMemory(segment, RecordFraming.PlainFrame), role.Row, options.WriterFailsWhenReaderDies),
            ChannelTopology.Broadcast => BroadcastProducer.Open(new RingMemory(segment, RecordFraming.SequencedFrame)),
            _ => (RingProducer)SpscProducer.Open(new RingMemory(segment, RecordFraming.PlainFrame), options.WriterFailsWhenReaderDies),
        }), role);
    }

    public static unsafe (RingConsumer Consumer, ParticipantRole Role) Consumer(SharedSegment segment, SharedChannelOptions options)
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
            ChannelTopology.Broadcast => BroadcastSubscriber.Open(new RingMemory(segment, RecordFraming.SequencedFrame), role.Row,
                lossy: options.SubscriberMode == SubscriberMode.Lossy, fromOldest: options.SubscriberStart == SubscriberStart.Oldest),
            _ => (RingConsumer)SpscConsumer.Open(new RingMemory(segment, RecordFraming.PlainFrame)),
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
