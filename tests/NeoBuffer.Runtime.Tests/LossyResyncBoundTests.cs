using System;
using NeoBuffer.Ring;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// A lossy subscriber that finds itself lapped resumes at Oldest. A peer that moves TailIntent, Oldest and Tail on each
/// time it does so keeps it resynchronising: that loop ends with <see cref="ChannelCorruptedException"/> after a
/// bounded number of rounds, as every other loop over shared state does (docs/format.md, "Broadcast protocol").
/// </summary>
public sealed class LossyResyncBoundTests
{
    private const long Capacity = 4096;

    [Fact]
    public void A_lossy_subscriber_lapped_again_after_every_resynchronisation_is_told_the_channel_is_corrupted()
    {
        using var channel = new TestChannel("lossy-resync");
        SharedChannelOptions options = channel.Options(Capacity, maxMessageSize: 256);
        options.Topology = ChannelTopology.Broadcast;
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, options);
        SharedChannelOptions lossy = channel.Options();
        lossy.SubscriberMode = SubscriberMode.Lossy;
        using SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, lossy);
        for (long i = 0; i < 400; i++)
        {
            Assert.True(writer.TryWrite(i)); // laps the lossy subscriber, still at 0
        }

        var segment = new SegmentBytes(channel);
        long tail = segment.ReadLong(SegmentBytes.Tail);
        long intent = segment.ReadLong(SegmentBytes.TailIntent);
        long oldest = segment.ReadLong(SegmentBytes.Oldest);

        // After each resynchronisation (the subscriber now at Q = Oldest) the peer announces an overwrite of Q and moves
        // Oldest and Tail just past it, consistently enough that each round looks like an honest race.
        int rounds = 0;
        try
        {
            using (ProtocolPoint.OnThisThread(name =>
            {
                if (name != ProtocolPoint.BroadcastResynchronised)
                {
                    return;
                }

                if (++rounds > 100_000)
                {
                    throw new InvalidOperationException("the lossy subscriber resynchronised 100000 times without end");
                }

                long q = segment.ReadLong(SegmentBytes.Oldest);
                segment.WriteLong(SegmentBytes.Oldest, q + 8);
                segment.WriteLong(SegmentBytes.Tail, q + 16);
                segment.WriteLong(SegmentBytes.TailIntent, q + 8 + Capacity);
            }))
            {
                var error = Assert.Throws<ChannelCorruptedException>(() => reader.TryRead(out long _));
                Assert.Contains("resynchron", error.Message);
            }
        }
        finally
        {
            segment.WriteLong(SegmentBytes.Oldest, oldest);
            segment.WriteLong(SegmentBytes.Tail, tail);
            segment.WriteLong(SegmentBytes.TailIntent, intent);
        }
    }
}
