using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Win32.SafeHandles;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// A peer that scribbles over the shared state: every impossible position, length or type is caught before it is used
/// as an address, and reported as <see cref="ChannelCorruptedException"/>.
/// </summary>
public sealed class CorruptedRingTests
{
    private const long TailOffset = 0x100;
    private const long HeadOffset = 0x180;

    [Theory]
    [InlineData(long.MaxValue)]
    [InlineData(-8)]
    [InlineData(1L << 40)]
    [InlineData(13)]
    public void An_impossible_tail_is_reported_to_the_next_writer(long tail)
    {
        using var channel = new TestChannel();
        using SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, channel.Options(capacity: 4096));
        using (SharedChannelWriter first = SharedChannel.OpenWriter(channel.Name, channel.Options()))
        {
            first.TryWrite(1);
        }

        Scribble(channel, TailOffset, BitConverter.GetBytes(tail));
        var error = Assert.Throws<ChannelCorruptedException>(() => SharedChannel.OpenWriter(channel.Name, channel.Options()));
        Assert.Contains("tail", error.Message);
    }

    [Fact]
    public void A_tail_left_behind_the_last_commit_is_not_written_over_by_the_next_writer()
    {
        // A writer that died between publishing a record and storing Tail leaves Tail behind the record.
        using var channel = new TestChannel();
        using SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, channel.Options(capacity: 4096));
        using (SharedChannelWriter first = SharedChannel.OpenWriter(channel.Name, channel.Options()))
        {
            first.TryWrite(1);
            first.TryWrite(2);
        }

        Scribble(channel, TailOffset, BitConverter.GetBytes(0L));
        using (SharedChannelWriter second = SharedChannel.OpenWriter(channel.Name, channel.Options()))
        {
            second.TryWrite(3);
        }

        int[] values = [.. Enumerable.Range(0, 3).Select(_ => reader.TryRead(out int value) ? value : -1)];
        Assert.Equal([1, 2, 3], values);
        Assert.False(reader.TryRead(out int _));
    }

    [Fact]
    public void A_writer_attaching_after_the_reader_read_past_a_stale_tail_resumes_after_what_was_read()
    {
        using var channel = new TestChannel();
        using SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, channel.Options(capacity: 4096));
        using (SharedChannelWriter first = SharedChannel.OpenWriter(channel.Name, channel.Options()))
        {
            first.TryWrite(1);
            first.TryWrite(2);
        }

        Assert.True(reader.TryRead(out int one));
        Assert.True(reader.TryRead(out int two));
        Scribble(channel, TailOffset, BitConverter.GetBytes(16L)); // as if the writer died before storing Tail after record 2
        using (SharedChannelWriter second = SharedChannel.OpenWriter(channel.Name, channel.Options()))
        {
            second.TryWrite(3);
        }

        Assert.True(reader.TryRead(out int three));
        Assert.Equal((1, 2, 3), (one, two, three));
    }

    [Fact]
    public async Task Padding_that_goes_round_the_ring_for_ever_is_reported_not_followed()
    {
        using var channel = new TestChannel();
        using var work = new BoundedWork();
        SharedChannelWriter writer = work.Uses(SharedChannel.CreateWriter(channel.Name, channel.Options(capacity: 4096)));
        SharedChannelReader reader = work.Uses(SharedChannel.OpenReader(channel.Name, channel.Options()));
        long dataOffset = 4096;
        Scribble(channel, dataOffset, [.. BitConverter.GetBytes(4088), .. BitConverter.GetBytes(-1)]);
        Scribble(channel, dataOffset + 4088, [.. BitConverter.GetBytes(8), .. BitConverter.GetBytes(-1)]);

        // Bounded, and the reader stays mapped if it still spins when the bound passes: a reader that follows the
        // padding for ever fails this test alone, instead of taking an AccessViolation that aborts the test run.
        Task read = work.Start(() => reader.TryLease(out ReadLease _));
        var error = await Assert.ThrowsAsync<ChannelCorruptedException>(() => BoundedWork.Within(read, TimeSpan.FromSeconds(20), "a read over padding that loops round the ring"));
        Assert.Contains("padding", error.Message);
    }

    [Fact]
    public void A_reader_follows_the_record_headers_whatever_the_stored_tail_says()
    {
        using var channel = new TestChannel();
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options(capacity: 4096));
        using SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, channel.Options());
        writer.TryWrite(1);
        writer.TryWrite(2);
        Scribble(channel, TailOffset, BitConverter.GetBytes(long.MaxValue));
        Assert.True(reader.TryRead(out int one));
        Assert.True(reader.TryRead(out int two));
        Assert.False(reader.TryRead(out int _));
        Assert.Equal((1, 2), (one, two));
    }

    [Fact]
    public void A_garbage_header_beyond_the_committed_records_is_reported_to_the_next_writer()
    {
        using var channel = new TestChannel();
        using SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, channel.Options(capacity: 4096));
        using (SharedChannelWriter first = SharedChannel.OpenWriter(channel.Name, channel.Options()))
        {
            first.TryWrite(1);
        }

        // The header after the one record (16 bytes: header and a 4-byte payload, aligned) must read zero.
        Scribble(channel, 4096 + 16, [.. BitConverter.GetBytes(1 << 20), .. BitConverter.GetBytes(1)]);
        Assert.Throws<ChannelCorruptedException>(() => SharedChannel.OpenWriter(channel.Name, channel.Options()));
    }

    [Fact]
    public void An_impossible_head_is_reported_to_the_writer()
    {
        using var channel = new TestChannel();
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options(capacity: 4096, maxMessageSize: 1000));
        RingFill.UntilRefused(writer, new byte[1000]);
        Scribble(channel, HeadOffset, BitConverter.GetBytes(1L << 50));
        Assert.Throws<ChannelCorruptedException>(() => writer.TryWrite(new byte[1000]));
    }

    [Theory]
    [InlineData(int.MaxValue, 1)]
    [InlineData(4, 1)]
    [InlineData(-100, 1)]
    [InlineData(16, 77)]
    public void A_record_header_with_an_impossible_length_or_type_is_reported(int length, int type)
    {
        using var channel = new TestChannel();
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options(capacity: 4096));
        using SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, channel.Options());
        writer.TryWrite(new byte[8]);
        long dataOffset = 4096; // a one-page header for two participants and no schema
        Scribble(channel, dataOffset, [.. BitConverter.GetBytes(length), .. BitConverter.GetBytes(type)]);
        Assert.Throws<ChannelCorruptedException>(() => reader.TryLease(out ReadLease _));
    }

    [Fact]
    public void A_payload_longer_than_the_maximum_is_reported()
    {
        using var channel = new TestChannel();
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options(capacity: 4096, maxMessageSize: 64));
        using SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, channel.Options());
        for (int i = 0; i < 10; i++)
        {
            writer.TryWrite(new byte[64]);
        }

        // The first record claims 200 payload bytes: inside the written region, but above the channel's maximum.
        Scribble(channel, 4096, [.. BitConverter.GetBytes(208), .. BitConverter.GetBytes(1)]);
        Assert.Throws<ChannelCorruptedException>(() => reader.TryLease(out ReadLease _));
    }

    [Fact]
    public void An_mpsc_record_reaching_past_the_claim_tail_is_reported_and_nothing_past_the_claims_is_zeroed()
    {
        // One 8-byte message claims ring bytes 0-15 (ClaimTail 16). A hostile producer makes its header say 128 bytes,
        // over unclaimed space where another producer may be writing a claim of its own (the marker at 64). The reader
        // refuses it (when it reads it, or at the latest when it hands its space back) and zeroes nothing past ClaimTail.
        using var channel = new TestChannel();
        SharedChannelOptions options = channel.Options(capacity: 4096);
        options.Topology = ChannelTopology.MultiProducerSingleConsumer;
        using SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, options);
        using (SharedChannelWriter writer = SharedChannel.OpenWriter(channel.Name, channel.Options()))
        {
            writer.TryWrite(7L);
        }

        long data = DataOffsetOf(channel);
        byte[] marker = [1, 2, 3, 4, 5, 6, 7, 8];
        Scribble(channel, data + 64, marker);
        Scribble(channel, data, BitConverter.GetBytes(128));
        Assert.Throws<ChannelCorruptedException>(() =>
        {
            if (reader.TryLease(out ReadLease lease))
            {
                lease.Dispose();
            }
        });

        using SafeFileHandle file = File.OpenHandle(channel.SegmentPath, FileMode.Open, FileAccess.Read);
        byte[] after = new byte[8];
        RandomAccess.Read(file, after, data + 64);
        Assert.Equal(marker, after);
        RandomAccess.Read(file, after, HeadOffset);
        Assert.Equal(0L, BitConverter.ToInt64(after)); // the record was not handed back
    }

    // Where the ring starts in the segment file (the header's DataOffset, at 0x40).
    private static long DataOffsetOf(TestChannel channel)
    {
        using SafeFileHandle file = File.OpenHandle(channel.SegmentPath, FileMode.Open, FileAccess.Read);
        byte[] offset = new byte[8];
        RandomAccess.Read(file, offset, 0x40);
        return BitConverter.ToInt64(offset);
    }

    private static void Scribble(TestChannel channel, long offset, byte[] bytes)
    {
        // A write(2) to the file lands in the same pages the processes have mapped, like a hostile peer's store.
        using SafeFileHandle file = File.OpenHandle(channel.SegmentPath, FileMode.Open, FileAccess.ReadWrite);
        RandomAccess.Write(file, bytes, offset);
    }
}
