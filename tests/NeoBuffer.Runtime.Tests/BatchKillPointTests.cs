using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using NeoBuffer.Ring;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// Batch writers and readers SIGKILLed at named protocol points (NEOBUFFER_KILL_AT) inside a batch, in real child
/// processes: a dead MPSC writer's batch is lost whole (even its records already committed) and the others go on; a
/// dead MPSC reader's successor finishes zeroing the stretch of records the batch consumed, across the ring's end, and
/// reads on; a reader killed in a batch's handler leaves what it read since the batch last published to its successor.
/// </summary>
public sealed class BatchKillPointTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Killed at the <paramref name="reach"/>-th time it reaches <paramref name="point"/>: inside its 5th batch of 10
    /// (claimed with one CAS; the batch-copied point is reached for each of the nine later records of a batch, so the
    /// 38th is in the 5th batch with its second and third records already committed). The reader gets the four
    /// batches before it whole and nothing of the fifth: not its later records either.
    /// </summary>
    [Theory]
    [InlineData(ProtocolPoint.MpscAnnounced, 5)]
    [InlineData(ProtocolPoint.MpscClaimed, 5)]
    [InlineData(ProtocolPoint.MpscFilling, 5)]
    [InlineData(ProtocolPoint.MpscBatchCopied, 38)]
    public async Task A_writer_killed_inside_a_batch_loses_that_batch_whole_and_the_others_go_on(string point, int reach)
    {
        using var channel = new TestChannel("batchkill");
        SharedChannelOptions options = channel.Options(capacity: 1 << 16, maxMessageSize: 256);
        options.Topology = ChannelTopology.MultiProducerSingleConsumer;
        options.SpinCount = 0;
        using SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, options);

        // Alone while it dies, with room for all.
        using ChildProcess dying = ChildProcess.StartWith(new Dictionary<string, string> { ["NEOBUFFER_KILL_AT"] = $"{point}@{reach}" },
            "mpsc-produce-batches", channel.Directory, channel.Name, "1", "1000", "256", "10");
        Assert.NotEqual(0, await dying.ExitCodeAsync(Bound));
        using ChildProcess healthy = ChildProcess.Start("mpsc-produce-batches", channel.Directory, channel.Name, "2", "2000", "256", "7");

        // Each writer's records in order, none skipped: a later record of the dead batch delivered without its first fails here.
        long[] next = MpscKillPointTests.ReadBothWriters(reader, fromKilled: 40, fromHealthy: 2000);
        Assert.Equal(0, await healthy.ExitCodeAsync(Bound));
        Assert.Equal(40, next[1]); // four whole batches; the fifth, killed before its commit, is padding
        Assert.False(reader.TryLease(out ReadLease _));
    }

    [Fact]
    public async Task A_reader_killed_after_zeroing_a_batch_is_replaced_and_its_successor_reads_on_without_repeats()
    {
        using var channel = new TestChannel("batchkill");
        SharedChannelOptions options = channel.Options(capacity: 1 << 14, maxMessageSize: 256);
        options.Topology = ChannelTopology.MultiProducerSingleConsumer;
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, options);

        // Move the head near the ring's end, so the batch below runs across it.
        using (SharedChannelReader early = SharedChannel.OpenReader(channel.Name, channel.Options()))
        {
            for (long i = 0; i < 1000; i++)
            {
                writer.Write(BitConverter.GetBytes(-1L), Bound); // 16-byte records: 16,000 bytes of a 16,384-byte ring
                Assert.True(early.TryRead(out long _));
            }
        }

        for (long i = 0; i < 100; i++)
        {
            writer.Write(BitConverter.GetBytes(i), Bound);
        }

        // One batch reads the hundred (1,600 bytes, under a batch's publication step) and publishes once: killed there,
        // after it announced and zeroed the stretch, before it stored Head.
        using (ChildProcess first = ChildProcess.StartWith(new Dictionary<string, string> { ["NEOBUFFER_KILL_AT"] = ProtocolPoint.MpscZeroing },
            "batch-read-and-hang", channel.Directory, channel.Name, "100"))
        {
            Assert.NotEqual(0, await first.ExitCodeAsync(Bound));
            Assert.DoesNotContain("read", first.Output.Split('\n', StringSplitOptions.TrimEntries));
        }

        // The successor finishes that publication: the hundred are consumed (the dead reader had them), nothing is stuck.
        using SharedChannelReader second = SharedChannel.OpenReader(channel.Name, channel.Options());
        Assert.False(second.TryRead(out long _));
        for (long i = 100; i < 110; i++)
        {
            writer.Write(BitConverter.GetBytes(i), Bound);
        }

        for (long expected = 100; expected < 110; expected++)
        {
            Assert.True(second.WaitToRead(Bound));
            Assert.True(second.TryRead(out long value));
            Assert.Equal(expected, value);
        }

        Assert.False(second.TryRead(out long _));
    }

    /// <summary>
    /// A reader killed inside a batch, in its handler of the 1,500th of 2,000 16-byte records in a 64 KiB ring: the
    /// batch had handed space back once, after 16 KiB (the 1,024th record), and never again. Its successor resumes at
    /// that published position: it delivers the 476 messages the dead reader had handled since, again, and then the
    /// rest, each once, in order. The re-delivery window is what the docs promise: under a publication step and a record.
    /// </summary>
    [Theory]
    [InlineData(ChannelTopology.SingleProducerSingleConsumer)]
    [InlineData(ChannelTopology.MultiProducerSingleConsumer)]
    public async Task A_reader_killed_in_a_batch_handler_leaves_what_it_read_since_the_batch_last_published_to_its_successor(ChannelTopology topology)
    {
        using var channel = new TestChannel("batchkill");
        SharedChannelOptions options = channel.Options(capacity: 1 << 16, maxMessageSize: 64);
        options.Topology = topology;
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, options);
        for (long i = 0; i < 2000; i++)
        {
            Assert.True(writer.TryWrite(i));
        }

        using (ChildProcess dying = ChildProcess.Start("batch-read-and-die", channel.Directory, channel.Name, "1500"))
        {
            Assert.NotEqual(0, await dying.ExitCodeAsync(Bound));
            string[] handled = dying.Output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("1499", handled[^1]); // it died in the 1,500th handler, having handled everything before it
        }

        using SharedChannelReader successor = SharedChannel.OpenReader(channel.Name, channel.Options());
        long step = RingConsumer.PublishStep(1 << 16) / 16; // records of 16 bytes in one publication step
        for (long expected = step; expected < 2000; expected++)
        {
            Assert.True(successor.TryRead(out long value));
            Assert.Equal(expected, value);
        }

        Assert.False(successor.TryRead(out long _));
    }
}
