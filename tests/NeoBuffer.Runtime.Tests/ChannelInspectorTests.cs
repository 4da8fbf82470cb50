using System;
using System.IO;
using System.Linq;
using System.Text;
using NeoBuffer.Ring;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// The read-only inspection surface for tools: a snapshot's counters are the meter's, a spy reads what is there without
/// a byte written, reports what it was too slow to see, and a segment changing under a snapshot is reported.
/// </summary>
public sealed class ChannelInspectorTests
{
    [Fact]
    public void A_snapshot_shows_the_counters_the_meter_reports_and_a_new_holder_starts_from_zero()
    {
        using var channel = new TestChannel("inspect");
        using var metrics = new ChannelMeasurements(channel.Name);
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options());
        using (SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, channel.Options()))
        {
            for (int i = 0; i < 7; i++)
            {
                Assert.True(writer.TryWrite(new byte[10 + i]));
            }

            for (int i = 0; i < 3; i++)
            {
                Assert.True(reader.TryLease(out ReadLease lease));
                lease.Dispose();
            }

            ChannelSnapshot snapshot = ChannelInspector.Snapshot(channel.Name, channel.Directory);
            ParticipantSnapshot w = snapshot.Participants.Single(p => p.Role == "writer");
            ParticipantSnapshot r = snapshot.Participants.Single(p => p.Role == "reader");
            Assert.Equal(metrics.Single("neobuffer.messages.written", "writer"), w.Messages);
            Assert.Equal(metrics.Single("neobuffer.bytes.written", "writer"), w.Bytes);
            Assert.Equal(7, w.Messages);
            Assert.Equal(Enumerable.Range(10, 7).Sum(), w.Bytes);
            Assert.Equal(metrics.Single("neobuffer.messages.read", "reader"), r.Messages);
            Assert.Equal(3, r.Messages);
            Assert.Equal(10 + 11 + 12, r.Bytes);
            Assert.True(r.IsAlive && w.IsAlive);
            Assert.Equal(Environment.ProcessId, r.Pid);
            Assert.Equal("open", snapshot.Completion);
            Assert.False(snapshot.IsStale);
        }

        using (SharedChannelReader again = SharedChannel.OpenReader(channel.Name, channel.Options()))
        {
            ParticipantSnapshot r = ChannelInspector.Snapshot(channel.Name, channel.Directory).Participants.Single(p => p.Role == "reader");
            Assert.Equal(0, r.Messages);
            Assert.Equal(0, r.Bytes);
        }
    }

    [Fact]
    public void A_row_handed_to_a_new_holder_while_it_is_read_shows_the_new_holder_whole()
    {
        using var channel = new TestChannel("inspect");
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options());
        SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, channel.Options());
        for (int i = 0; i < 7; i++)
        {
            Assert.True(writer.TryWrite(new byte[10]));
        }

        for (int i = 0; i < 3; i++)
        {
            Assert.True(reader.TryRead(out byte[]? _));
        }

        ChannelSnapshot before = ChannelInspector.Snapshot(channel.Name, channel.Directory);
        int readerAt = before.Participants.ToList().FindIndex(p => p.Role == "reader");
        Assert.True(readerAt >= 0);
        ulong oldGeneration = before.Participants[readerAt].Generation;

        // The reader leaves and a new one takes its row between the row's identity and its counters being read.
        int reached = 0;
        SharedChannelReader? successor = null;
        using (ProtocolPoint.OnThisThread(point =>
        {
            if (point == ProtocolPoint.InspectionRowRead && reached++ == readerAt)
            {
                reader.Dispose();
                successor = SharedChannel.OpenReader(channel.Name, channel.Options());
                Assert.True(successor.TryRead(out byte[]? _));
            }
        }))
        {
            ParticipantSnapshot row = ChannelInspector.Snapshot(channel.Name, channel.Directory).Participants.Single(p => p.Role == "reader");
            using (successor)
            {
                Assert.NotNull(successor);
                Assert.Equal(oldGeneration + 1, row.Generation); // the new holder's generation with the new holder's counts
                Assert.Equal(1, row.Messages);
                Assert.Equal(10, row.Bytes);
            }
        }
    }

    [Fact]
    public void A_snapshot_of_a_segment_that_changes_while_it_is_read_is_refused()
    {
        using var channel = new TestChannel("inspect");
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options());
        var bytes = new SegmentBytes(channel);
        using (ProtocolPoint.OnThisThread(point =>
        {
            if (point == ProtocolPoint.InspectionRead)
            {
                bytes.WriteLong(0x58, bytes.ReadLong(0x58) + 1); // the creation time, in the identity block, as a rewrite would change it
            }
        }))
        {
            ChannelFormatException changed = Assert.Throws<ChannelFormatException>(() => ChannelInspector.Snapshot(channel.Name, channel.Directory));
            Assert.Contains("changed while it was read", changed.Message);
        }
    }

    [Fact]
    public void An_spsc_spy_reads_unread_messages_and_consumed_ones_still_intact_and_reports_the_lap_once_the_writer_passed_it()
    {
        using var channel = new TestChannel("inspect");
        SharedChannelOptions options = channel.Options(capacity: 1 << 16, maxMessageSize: 64);
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, options);
        using SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, options);
        using ChannelSpy spy = ChannelInspector.OpenSpy(channel.Name, channel.Directory);

        for (int i = 0; i < 3; i++)
        {
            Assert.True(writer.TryWrite(Encoding.ASCII.GetBytes($"m{i}")));
        }

        Assert.True(reader.TryLease(out ReadLease lease));
        lease.Dispose();

        // Consumed, but the writer is far from lapping it (a ring minus its largest claims away): still intact.
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(SpyRead.Message, spy.TryRead(out ReadOnlyMemory<byte> payload));
            Assert.Equal($"m{i}", Encoding.ASCII.GetString(payload.Span));
        }

        Assert.Equal(SpyRead.None, spy.TryRead(out _));

        // The writer writes a whole ring and more, read as it goes: everything after the spy's position is passed.
        long spyAt = spy.Position;
        for (int i = 0; i < 2000; i++)
        {
            Assert.True(writer.TryWrite(new byte[56]));
            Assert.True(reader.TryLease(out ReadLease read));
            read.Dispose();
        }

        while (reader.TryLease(out ReadLease rest))
        {
            rest.Dispose();
        }

        Assert.True(writer.TryWrite("last"u8));
        Assert.Equal(SpyRead.Skipped, spy.TryRead(out _));
        Assert.Equal(-1, spy.LastSkippedMessages); // an SPSC ring does not number its records
        Assert.True(spy.LastSkippedBytes > 0 && spy.Position == spyAt + spy.LastSkippedBytes, $"skipped {spy.LastSkippedBytes} bytes from {spyAt} to {spy.Position}");
        Assert.Equal(SpyRead.Message, spy.TryRead(out ReadOnlyMemory<byte> last));
        Assert.Equal("last", Encoding.ASCII.GetString(last.Span));
    }

    [Fact]
    public void A_broadcast_spy_counts_exactly_the_messages_it_was_lapped_by()
    {
        using var channel = new TestChannel("inspect");
        SharedChannelOptions options = channel.Options(capacity: 4096);
        options.Topology = ChannelTopology.Broadcast;
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, options);
        using ChannelSpy spy = ChannelInspector.OpenSpy(channel.Name, channel.Directory);
        Assert.True(writer.TryWrite(BitConverter.GetBytes(0L)));
        Assert.Equal(SpyRead.Message, spy.TryRead(out ReadOnlyMemory<byte> first));
        Assert.Equal(0, BitConverter.ToInt64(first.Span));
        Assert.Equal(0, spy.LastSequence);

        // 100 records of 24 bytes each wrap a 4096-byte ring: nobody holds the producer back, and the spy is lapped.
        for (long i = 1; i <= 300; i++)
        {
            Assert.True(writer.TryWrite(BitConverter.GetBytes(i)));
        }

        Assert.Equal(SpyRead.Skipped, spy.TryRead(out _));
        long missed = spy.LastSkippedMessages;
        Assert.Equal(SpyRead.Message, spy.TryRead(out ReadOnlyMemory<byte> next));
        long value = BitConverter.ToInt64(next.Span);
        Assert.Equal(value, spy.LastSequence);
        Assert.Equal(value - 1, missed); // every message between the first and this one, exactly
        for (long expected = value + 1; expected <= 300; expected++)
        {
            Assert.Equal(SpyRead.Message, spy.TryRead(out ReadOnlyMemory<byte> more));
            Assert.Equal(expected, BitConverter.ToInt64(more.Span));
        }

        Assert.Equal(SpyRead.None, spy.TryRead(out _));

        // Spies write nothing: a second one reading the whole ring leaves every byte of the segment as it was.
        byte[] before = System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(channel.SegmentPath));
        using (ChannelSpy another = ChannelInspector.OpenSpy(channel.Name, channel.Directory))
        {
            int read = 0;
            while (another.TryRead(out _) != SpyRead.None)
            {
                read++;
            }

            Assert.True(read > 100, $"read {read}");
        }

        _ = ChannelInspector.Snapshot(channel.Name, channel.Directory);
        Assert.Equal(before, System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(channel.SegmentPath)));
    }

    [Fact]
    public void An_mpsc_spy_reads_unread_messages_and_reports_consumed_ones_as_skipped()
    {
        using var channel = new TestChannel("inspect");
        SharedChannelOptions options = channel.Options();
        options.Topology = ChannelTopology.MultiProducerSingleConsumer;
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, options);
        using SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, options);
        using ChannelSpy spy = ChannelInspector.OpenSpy(channel.Name, channel.Directory);
        for (int i = 0; i < 4; i++)
        {
            Assert.True(writer.TryWrite(BitConverter.GetBytes(i)));
        }

        Assert.Equal(SpyRead.Message, spy.TryRead(out ReadOnlyMemory<byte> zero));
        Assert.Equal(0, BitConverter.ToInt32(zero.Span));

        // The reader consumes (and zeroes) the next two: the spy, still before them, skips to the reader's Head.
        for (int i = 0; i < 3; i++)
        {
            Assert.True(reader.TryLease(out ReadLease lease));
            lease.Dispose();
        }

        Assert.Equal(SpyRead.Skipped, spy.TryRead(out _));
        Assert.Equal(2 * 16, spy.LastSkippedBytes); // two 8-byte records behind their 8-byte headers
        Assert.Equal(SpyRead.Message, spy.TryRead(out ReadOnlyMemory<byte> three));
        Assert.Equal(3, BitConverter.ToInt32(three.Span));
        Assert.Equal(SpyRead.None, spy.TryRead(out _));
    }

    [Fact]
    public void A_spy_refuses_a_record_header_no_producer_writes()
    {
        using var channel = new TestChannel("inspect");
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options());
        using ChannelSpy spy = ChannelInspector.OpenSpy(channel.Name, channel.Directory);
        new SegmentBytes(channel).WriteRecordHeader(0, length: 1 << 30, type: 1);

        ChannelCorruptedException corrupted = Assert.Throws<ChannelCorruptedException>(() => spy.TryRead(out _));
        Assert.Contains("position 0", corrupted.Message);
    }

    [Fact]
    public void Remove_is_refused_while_attached_and_takes_the_file_when_forced_or_when_nobody_is()
    {
        using var channel = new TestChannel("inspect");
        SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, new SharedChannelOptions { Directory = channel.Directory, KeepSegment = true });
        Assert.Throws<ChannelInUseException>(() => ChannelInspector.Remove(channel.Name, channel.Directory));
        Assert.True(File.Exists(channel.SegmentPath));
        writer.Dispose();
        ChannelInspector.Remove(channel.Name, channel.Directory);
        Assert.False(File.Exists(channel.SegmentPath));
        Assert.Throws<ChannelNotFoundException>(() => ChannelInspector.Remove(channel.Name, channel.Directory));
    }

    [Fact]
    public void A_spy_on_a_channel_of_large_messages_holds_only_as_much_as_the_messages_it_copied()
    {
        using var channel = new TestChannel("inspect");
        SharedChannelOptions options = channel.Options(capacity: 1 << 24, maxMessageSize: 4 << 20);
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, options);
        Assert.True(writer.TryWrite("small"u8));

        // `neobuffer tail` opens one of these on any channel: 4 MiB here, hundreds of MiB on a channel of video frames.
        long before = GC.GetAllocatedBytesForCurrentThread();
        using ChannelSpy spy = ChannelInspector.OpenSpy(channel.Name, channel.Directory);
        Assert.Equal(SpyRead.Message, spy.TryRead(out ReadOnlyMemory<byte> payload));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal("small", Encoding.ASCII.GetString(payload.Span));
        Assert.True(allocated < options.MaxMessageSize / 2, $"opening a spy and reading 5 bytes allocated {allocated} bytes"); // not the largest message up front
    }
}
