using System;
using System.Threading.Tasks;

namespace NeoBuffer.Nats.Tests;

/// <summary>The runtime's <see cref="MessageHold"/>, which the outbound bridge stands on.</summary>
public sealed class MessageHoldTests
{
    [Fact]
    public async Task A_held_message_survives_an_await_a_returned_one_comes_again_and_a_released_one_is_consumed()
    {
        string name = Bridges.NewName("hold");
        using SharedChannelWriter writer = SharedChannel.CreateWriter(name);
        using SharedChannelReader reader = SharedChannel.OpenReader(name);
        writer.Write([1, 2, 3]);
        writer.Write([4]);
        var hold = new MessageHold(reader);

        Assert.True(hold.TryHold(out ReadOnlyMemory<byte> first));
        await Task.Yield();
        Assert.Equal(new byte[] { 1, 2, 3 }, first.ToArray());
        Assert.Throws<InvalidOperationException>(() => hold.TryHold(out _));
        hold.Return();

        Assert.True(hold.TryHold(out ReadOnlyMemory<byte> again));
        Assert.Equal(new byte[] { 1, 2, 3 }, again.ToArray());
        hold.Release();

        Assert.True(hold.TryHold(out ReadOnlyMemory<byte> second));
        Assert.Equal(new byte[] { 4 }, second.ToArray());
        hold.Release();
        Assert.False(hold.TryHold(out _));
        Assert.Throws<InvalidOperationException>(hold.Release);
    }

    [Fact]
    public void A_lossy_subscriber_cannot_hold_a_message()
    {
        string name = Bridges.NewName("hold");
        using SharedChannelWriter writer = SharedChannel.CreateWriter(name, new SharedChannelOptions { Topology = ChannelTopology.Broadcast });
        using SharedChannelReader lossy = SharedChannel.OpenReader(name, new SharedChannelOptions { SubscriberMode = SubscriberMode.Lossy });

        Assert.Throws<NotSupportedException>(() => new MessageHold(lossy));
    }

    [Fact]
    public void A_message_held_by_a_disposed_reader_is_left_for_the_next_reader()
    {
        string name = Bridges.NewName("hold");
        using SharedChannelWriter writer = SharedChannel.CreateWriter(name);
        writer.Write([7]);
        SharedChannelReader first = SharedChannel.OpenReader(name);
        var hold = new MessageHold(first);
        Assert.True(hold.TryHold(out _));
        first.Dispose(); // detaches once the hold ends
        hold.Return();

        using SharedChannelReader next = SharedChannel.OpenReader(name);
        Assert.True(next.TryLease(out ReadLease lease));
        using (lease)
        {
            Assert.Equal(7, lease.Payload[0]);
        }
    }
}
