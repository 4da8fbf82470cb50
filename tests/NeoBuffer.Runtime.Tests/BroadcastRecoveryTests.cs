using System;
using System.Threading.Tasks;
using NeoBuffer.Ring;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// The broadcast producer against the states its peers can honestly leave behind: a subscriber caught half-way through
/// leaving, a producer killed inside its commit, a subscriber joining while a claim is refused. Each state is built on
/// purpose (docs/format.md, "Broadcast protocol" and "Testing the protocol").
/// </summary>
public sealed class BroadcastRecoveryTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private const long Position = 0x40;
    private const long StateField = 0x00;
    private const long ModeField = 0x08;

    [Fact]
    public void A_tethered_row_caught_mid_release_is_skipped_not_reported_as_corruption()
    {
        // What a producer reads when ParticipantRole.Release runs between its loads of Mode and Position: State still
        // active, Mode still tethered (read before Release cleared it), Position -1 (read after Release stored it).
        using var channel = new TestChannel("bcast-release");
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, BroadcastOptions(channel));
        using SharedChannelReader subscriber = SharedChannel.OpenReader(channel.Name, channel.Options());
        var segment = new SegmentBytes(channel);
        Assert.Equal(2, segment.ReadInt(SegmentBytes.Row(1, StateField))); // active
        Assert.Equal(1, segment.ReadInt(SegmentBytes.Row(1, ModeField))); // tethered
        segment.WriteLong(SegmentBytes.Row(1, Position), -1);

        for (int i = 0; i < 100; i++)
        {
            Assert.True(writer.TryWrite(i)); // nobody holds the producer back: the row is on its way out
        }
    }

    [Theory]
    [InlineData(-8L)]
    [InlineData(12L)]
    [InlineData(1L << 40)]
    public void A_tethered_position_no_subscriber_can_hold_is_still_corruption(long position)
    {
        using var channel = new TestChannel("bcast-release");
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, BroadcastOptions(channel));
        using SharedChannelReader subscriber = SharedChannel.OpenReader(channel.Name, channel.Options());
        new SegmentBytes(channel).WriteLong(SegmentBytes.Row(1, Position), position);

        var error = Assert.Throws<ChannelCorruptedException>(() => writer.TryWrite(1));
        Assert.Contains("subscriber 1", error.Message);
    }

    [Fact]
    public void A_claim_refused_for_a_new_tethered_subscriber_announces_no_overwrite()
    {
        using var channel = new TestChannel("bcast-refused");
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, BroadcastOptions(channel));
        for (int i = 0; i < 200; i++)
        {
            Assert.True(writer.TryWrite(new byte[100])); // nobody tethered: the ring laps freely
        }

        SharedChannelOptions lossyOptions = channel.Options();
        lossyOptions.SubscriberMode = SubscriberMode.Lossy;
        lossyOptions.SubscriberStart = SubscriberStart.Oldest;
        using SharedChannelReader lossy = SharedChannel.OpenReader(channel.Name, lossyOptions);
        Assert.True(lossy.TryRead(out ReadLease oldestLease));
        using (oldestLease)
        {
            // A tethered subscriber joins at the oldest record: the producer's cached limit (nobody tethered) is stale,
            // and only the JoinEpoch it bumped tells the producer to look.
            SharedChannelOptions tetheredOptions = channel.Options();
            tetheredOptions.SubscriberStart = SubscriberStart.Oldest;
            using SharedChannelReader tethered = SharedChannel.OpenReader(channel.Name, tetheredOptions);
            var segment = new SegmentBytes(channel);
            long intent = segment.ReadLong(SegmentBytes.TailIntent);
            long oldest = segment.ReadLong(SegmentBytes.Oldest);

            Assert.False(writer.TryWrite(new byte[100])); // it would overwrite the tethered subscriber's first record
            Assert.Equal(intent, segment.ReadLong(SegmentBytes.TailIntent));
            Assert.Equal(oldest, segment.ReadLong(SegmentBytes.Oldest));
            Assert.False(oldestLease.IsOverwritten); // the lossy reader's record is intact, and is not reported lost
        }

        Assert.Equal(0, lossy.LostMessages);
    }

    [Fact]
    public void A_subscriber_joining_right_after_an_announcement_starts_past_it_and_the_claim_goes_on()
    {
        // The other half of the store-fence-load pair: a joiner that sees the announcement picks a later start, so the
        // claim's second look at the rows finds nothing to refuse.
        using var channel = new TestChannel("bcast-join");
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, BroadcastOptions(channel));
        long written = 0;
        for (; written < 200; written++)
        {
            Assert.True(writer.TryWrite(written));
        }

        SharedChannelOptions tetheredOptions = channel.Options();
        tetheredOptions.SubscriberStart = SubscriberStart.Oldest;
        SharedChannelReader? joiner = null;
        try
        {
            using (ProtocolPoint.OnThisThread(point =>
            {
                if (point == ProtocolPoint.BroadcastAnnounced && joiner is null)
                {
                    joiner = SharedChannel.OpenReader(channel.Name, tetheredOptions);
                }
            }))
            {
                Assert.True(writer.TryWrite(written++));
            }

            Assert.NotNull(joiner);
            Assert.True(joiner.TryRead(out long previous));
            while (joiner.TryRead(out long value))
            {
                Assert.Equal(previous + 1, value);
                previous = value;
            }

            Assert.Equal(written - 1, previous); // up to the record whose claim it joined during

            for (; written < 400; written++)
            {
                Assert.True(writer.TryWrite(written));
                Assert.True(joiner.TryRead(out long value));
                Assert.Equal(written, value);
            }
        }
        finally
        {
            joiner?.Dispose();
        }
    }

    private static SharedChannelOptions BroadcastOptions(TestChannel channel, long capacity = 4096, int maxMessageSize = 256)
    {
        SharedChannelOptions options = channel.Options(capacity, maxMessageSize);
        options.Topology = ChannelTopology.Broadcast;
        return options;
    }
}
