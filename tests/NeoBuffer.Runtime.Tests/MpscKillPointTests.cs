using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Threading.Tasks;
using NeoBuffer.Ring;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// MPSC participants SIGKILLed at named protocol points (NEOBUFFER_KILL_AT), in real child processes: the kernel drops
/// their row locks, and the survivors recover what they left (docs/format.md, "MPSC protocol", crash recovery).
/// </summary>
public sealed class MpscKillPointTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(ProtocolPoint.MpscAnnounced)]
    [InlineData(ProtocolPoint.MpscClaimed)]
    [InlineData(ProtocolPoint.MpscFilling)]
    public async Task A_writer_killed_inside_a_claim_loses_only_that_claim_and_the_others_go_on(string point)
    {
        using var channel = new TestChannel("killpoint");
        SharedChannelOptions options = channel.Options(capacity: 1 << 16, maxMessageSize: 256);
        options.Topology = ChannelTopology.MultiProducerSingleConsumer;
        options.SpinCount = 0;
        using SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, options);

        // Alone while it dies (no CAS it makes can fail, so it dies in exactly its 50th claim), with room for all 50.
        using ChildProcess dying = ChildProcess.StartWith(new Dictionary<string, string> { ["NEOBUFFER_KILL_AT"] = point + "@50" },
            "mpsc-produce", channel.Directory, channel.Name, "1", "1000", "256");
        Assert.NotEqual(0, await dying.ExitCodeAsync(Bound));
        using ChildProcess healthy = ChildProcess.Start("mpsc-produce", channel.Directory, channel.Name, "2", "2000", "256");

        long[] next = ReadBothWriters(reader, fromKilled: 49, fromHealthy: 2000);
        Assert.Equal(0, await healthy.ExitCodeAsync(Bound));
        Assert.Equal(49, next[1]); // killed inside its 50th claim
        Assert.False(reader.TryLease(out ReadLease _));
    }

    /// <summary>
    /// Reads the records of writer 1 (the killed one) and writer 2 (the healthy one) until at least the given numbers
    /// came: each writer's records in order, none lost, every byte as written. Returns how many came from each.
    /// </summary>
    internal static long[] ReadBothWriters(SharedChannelReader reader, long fromKilled, long fromHealthy)
    {
        var next = new long[3];
        while (next[2] < fromHealthy || next[1] < fromKilled)
        {
            Assert.True(reader.WaitToRead(Bound), $"the reader got stuck after {next[1]} records of the killed writer and {next[2]} of the healthy one");
            while (reader.TryLease(out ReadLease lease))
            {
                using (lease)
                {
                    long key = BinaryPrimitives.ReadInt64LittleEndian(lease.Payload);
                    long producer = ProducerKey.ProducerOf(key);
                    Assert.InRange(producer, 1, 2);
                    Assert.Equal(ProducerKey.Of(producer, next[producer]), key); // each writer's records, in order, none lost
                    Assert.Null(SequencedRecord.Verify(lease.Payload, key, 256));
                    next[producer]++;
                }
            }
        }

        return next;
    }

    [Theory]
    [InlineData(ProtocolPoint.MpscPadding)]
    [InlineData(ProtocolPoint.MpscZeroing)]
    public async Task A_reader_killed_while_recovering_a_dead_claim_is_replaced_and_nothing_is_lost(string point)
    {
        using var channel = new TestChannel("killpoint");
        SharedChannelOptions options = channel.Options(capacity: 1 << 14, maxMessageSize: 256);
        options.Topology = ChannelTopology.MultiProducerSingleConsumer;
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, options);

        // A writer dies between claim and commit, ahead of ten committed records.
        using (ChildProcess hanging = ChildProcess.Start("claim-and-hang", channel.Directory, channel.Name, "100"))
        {
            Assert.Equal("claimed", await hanging.FirstLineAsync(Bound));
            for (int i = 0; i < 10; i++)
            {
                writer.Write(BitConverter.GetBytes(i), Bound);
            }

            hanging.Kill();
            await hanging.ExitCodeAsync(Bound);
        }

        // A reader starts recovering that claim and is killed at the point (first time reached: the dead claim's padding).
        using (ChildProcess first = ChildProcess.StartWith(new Dictionary<string, string> { ["NEOBUFFER_KILL_AT"] = point },
            "read-and-hang", channel.Directory, channel.Name, "10"))
        {
            Assert.NotEqual(0, await first.ExitCodeAsync(Bound));
            Assert.DoesNotContain("read", first.Output.Split('\n', StringSplitOptions.TrimEntries)); // killed before it read them
        }

        // Its successor finishes what it was doing and reads all ten, once each, in order.
        using SharedChannelReader second = SharedChannel.OpenReader(channel.Name, channel.Options());
        for (int expected = 0; expected < 10; expected++)
        {
            Assert.True(second.WaitToRead(Bound));
            Assert.True(second.TryRead(out int value));
            Assert.Equal(expected, value);
        }

        Assert.False(second.TryRead(out int _));
    }
}
