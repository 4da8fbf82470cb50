using System;
using System.Threading.Tasks;
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

    private static SharedChannelOptions BroadcastOptions(TestChannel channel, long capacity = 4096, int maxMessageSize = 256)
    {
        SharedChannelOptions options = channel.Options(capacity, maxMessageSize);
        options.Topology = ChannelTopology.Broadcast;
        return options;
    }
}
