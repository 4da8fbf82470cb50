using System;

namespace NeoBuffer.Nats.Tests;

/// <summary>An element of <see cref="Route"/>'s array: 6 bytes of fields, padded to 8, aligned to 4.</summary>
[ChannelMessage(Name = "NeoBuffer.Nats.Tests.Waypoint")]
public partial struct Waypoint
{
    public int Position;
    public short Heading;
}

/// <summary>A message whose variable-length array holds nested messages.</summary>
[ChannelMessage(Name = "NeoBuffer.Nats.Tests.Route")]
public partial struct Route
{
    public long Id;
    public VarArray<Waypoint> Waypoints;
}

/// <summary>
/// The inbound bridge's check of an array of nested messages: a descriptor the reader's view would refuse (a length
/// that is not whole elements, an offset off the element's alignment) must not reach the ring. No server needed.
/// </summary>
public sealed class NestedElementRecordCheckTests
{
    [Fact]
    public void An_array_of_nested_messages_is_checked_for_whole_aligned_elements_as_a_reader_would()
    {
        var check = new RecordCheck(Route.Layout);
        byte[] good = new byte[Route.Builder.LengthFor(3)];
        _ = new Route.Builder(good, 3);
        Assert.Null(check.Problem(good));
        Assert.Equal(3, new Route.View(good).Waypoints.Length);

        byte[] partial = (byte[])good.Clone();
        BitConverter.TryWriteBytes(partial.AsSpan(8 + 4, 4), 20u); // two and a half elements
        Assert.Throws<MessageFormatException>(() => new Route.View(partial).Waypoints.Length);
        Assert.Contains("whole number of 8-byte elements", check.Problem(partial));

        byte[] misaligned = new byte[good.Length + 8];
        good.CopyTo(misaligned, 0);
        BitConverter.TryWriteBytes(misaligned.AsSpan(8, 4), BitConverter.ToUInt32(good, 8) + 2); // off the element's alignment of 4
        Assert.Throws<MessageFormatException>(() => new Route.View(misaligned).Waypoints.Length);
        Assert.Contains("at a multiple of 4", check.Problem(misaligned));
    }
}
