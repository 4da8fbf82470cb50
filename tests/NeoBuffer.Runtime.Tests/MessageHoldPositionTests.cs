using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// <see cref="MessageHold.Position"/>: grows from message to message, and a message held and not released keeps its
/// position when it is held again, by the same reader or by the next one (what a bridge's stable message ids rest on).
/// </summary>
public sealed class MessageHoldPositionTests
{
    [Theory]
    [InlineData(ChannelTopology.SingleProducerSingleConsumer)]
    [InlineData(ChannelTopology.MultiProducerSingleConsumer)]
    [InlineData(ChannelTopology.Broadcast)]
    public void A_returned_message_keeps_its_position_and_the_next_is_further(ChannelTopology topology)
    {
        using var channel = new TestChannel();
        SharedChannelOptions options = channel.Options();
        options.Topology = topology;
        options.SubscriberStart = SubscriberStart.Oldest;
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, options);
        long first, second;
        using (SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, options))
        {
            writer.Write(new byte[40]);
            writer.Write(new byte[24]);
            var hold = new MessageHold(reader);
            Assert.Throws<System.InvalidOperationException>(() => hold.Position);
            Assert.True(hold.TryHold(out _));
            first = hold.Position;
            hold.Release();
            Assert.True(hold.TryHold(out _));
            second = hold.Position;
            Assert.True(second > first, $"{second} after {first}");
            hold.Return();
            Assert.True(hold.TryHold(out _));
            Assert.Equal(second, hold.Position);
            hold.Return(); // and left: the next reader is handed the same message at the same position (a killed holder: StableMessageIdTests)
        }

        if (topology != ChannelTopology.Broadcast) // a new subscriber starts where it chooses, not where another left
        {
            using SharedChannelReader next = SharedChannel.OpenReader(channel.Name, options);
            var again = new MessageHold(next);
            Assert.True(again.TryHold(out System.ReadOnlyMemory<byte> message));
            Assert.Equal(24, message.Length);
            Assert.Equal(second, again.Position);
        }
    }
}
