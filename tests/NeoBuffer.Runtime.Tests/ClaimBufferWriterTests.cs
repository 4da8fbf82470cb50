using System;
using System.Buffers;
using System.Text.Json;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>The <see cref="IBufferWriter{T}"/> over a claim: serializers write in place, the commit publishes what they wrote.</summary>
public sealed class ClaimBufferWriterTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(1);

    private sealed record Reading(string Sensor, int Sequence, double[] Values);

    [Theory]
    [InlineData(ChannelTopology.SingleProducerSingleConsumer)]
    [InlineData(ChannelTopology.MultiProducerSingleConsumer)]
    [InlineData(ChannelTopology.Broadcast)]
    public void Utf8JsonWriter_serializes_through_the_claim_and_the_reader_gets_exactly_the_json(ChannelTopology topology)
    {
        using var channel = new TestChannel("bufwriter");
        SharedChannelOptions options = channel.Options(capacity: 1 << 15, maxMessageSize: 4096);
        options.Topology = topology;
        using SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, options);
        using SharedChannelWriter writer = SharedChannel.OpenWriter(channel.Name, channel.Options());
        using ClaimBufferWriter output = writer.CreateBufferWriter();
        using var json = new Utf8JsonWriter(output);
        var deadline = Deadline.In(Generous, "reading serialized messages");
        for (int sequence = 0; sequence < 40; sequence++) // wraps the ring a few times
        {
            var sent = new Reading("probe-" + sequence, sequence, new double[sequence % 7]);
            output.Claim(4096, Generous);
            json.Reset(output);
            JsonSerializer.Serialize(json, sent);
            json.Flush();
            int written = output.WrittenCount;
            Assert.InRange(written, 10, 4095);
            output.Commit();
            Assert.False(output.IsClaimed);

            ReadLease lease = NextLease(reader, deadline);
            using (lease)
            {
                Assert.Equal(written, lease.Payload.Length);
                Reading? received = JsonSerializer.Deserialize<Reading>(lease.Payload);
                Assert.NotNull(received);
                Assert.Equal(sent.Sensor, received.Sensor);
                Assert.Equal(sent.Sequence, received.Sequence);
                Assert.Equal(sent.Values, received.Values);
            }
        }

        Assert.False(reader.TryLease(out _));
    }

    [Fact]
    public void GetMemory_and_GetSpan_write_in_place_and_Advance_accumulates()
    {
        using var channel = new TestChannel("bufwriter");
        using SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, channel.Options());
        using SharedChannelWriter writer = SharedChannel.OpenWriter(channel.Name, channel.Options());
        using ClaimBufferWriter output = writer.CreateBufferWriter();

        Assert.True(output.TryClaim(64));
        Memory<byte> memory = output.GetMemory(3);
        Assert.Equal(64, memory.Length);
        "abc"u8.CopyTo(memory.Span);
        output.Advance(3);
        "defg"u8.CopyTo(output.GetSpan(4));
        output.Advance(4);
        Assert.Equal(7, output.WrittenCount);
        Assert.Equal(57, output.FreeCapacity);
        using (MemoryHandle pinned = output.GetMemory().Pin())
        {
            unsafe
            {
                *(byte*)pinned.Pointer = (byte)'h';
            }
        }

        output.Advance(1);
        output.Commit();

        // A memory kept past its claim fails rather than reaching into ring space that is no longer the caller's.
        Assert.Throws<InvalidOperationException>(() => memory.Span[0] = 1);

        ReadLease lease = NextLease(reader, Deadline.In(Generous, "reading the message"));
        using (lease)
        {
            Assert.Equal("abcdefgh"u8.ToArray(), lease.Payload.ToArray());
        }
    }

    [Fact]
    public void Advance_beyond_the_claim_is_refused_and_the_claim_stays_as_it_was()
    {
        using var channel = new TestChannel("bufwriter");
        using SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, channel.Options());
        using SharedChannelWriter writer = SharedChannel.OpenWriter(channel.Name, channel.Options());
        using ClaimBufferWriter output = writer.CreateBufferWriter();

        output.Claim(16, Generous);
        output.GetSpan(10).Fill(9);
        output.Advance(10);
        var error = Assert.Throws<InvalidOperationException>(() => output.Advance(7));
        Assert.Contains("only 6 are left", error.Message);
        Assert.Contains("Claim a larger maxLength", error.Message);
        Assert.Throws<InvalidOperationException>(() => output.GetSpan(7));
        Assert.Throws<ArgumentOutOfRangeException>(() => output.Advance(-1));
        Assert.Equal(10, output.WrittenCount);
        output.Commit();

        ReadLease lease = NextLease(reader, Deadline.In(Generous, "reading the message"));
        using (lease)
        {
            Assert.Equal(10, lease.Payload.Length);
        }
    }

    [Fact]
    public void Without_an_open_claim_nothing_can_be_written_and_dispose_aborts_an_open_one()
    {
        using var channel = new TestChannel("bufwriter");
        using SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, channel.Options());
        using SharedChannelWriter writer = SharedChannel.OpenWriter(channel.Name, channel.Options());
        ClaimBufferWriter output = writer.CreateBufferWriter();

        Assert.Throws<InvalidOperationException>(() => output.GetSpan());
        Assert.Throws<InvalidOperationException>(() => output.Commit());
        output.Claim(32, Generous);
        Assert.Throws<InvalidOperationException>(() => output.Claim(32, Generous));
        output.GetSpan().Fill(1);
        output.Advance(32);
        output.Dispose();
        Assert.Throws<ObjectDisposedException>(() => output.TryClaim(8));

        // Nothing was published, and the writer goes on.
        Assert.False(reader.TryLease(out _));
        writer.Write([2, 2], Generous);
        ReadLease lease = NextLease(reader, Deadline.In(Generous, "reading the message"));
        using (lease)
        {
            Assert.Equal(new byte[] { 2, 2 }, lease.Payload.ToArray());
        }
    }

    /// <summary>The next message, waited for within <paramref name="deadline"/>.</summary>
    internal static ReadLease NextLease(SharedChannelReader reader, Deadline deadline)
    {
        ReadLease lease;
        while (!reader.TryLease(out lease))
        {
            deadline.Check();
            reader.WaitToRead(TimeSpan.FromSeconds(1));
        }

        return lease;
    }
}
