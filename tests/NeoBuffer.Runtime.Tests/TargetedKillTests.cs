using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Threading.Tasks;
using NeoBuffer.Ring;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// The chaos harness's targeted kills in short (benchmarks/NeoBuffer.Bench, <c>chaos</c>): a child process that the
/// runtime SIGKILLs at a named protocol point (NEOBUFFER_KILL_AT, docs/format.md "Testing the protocol"), once per point
/// and at a fixed reach, so each recovery path runs on every test run and a broken one fails here, not only in a long
/// chaos run. Each test checks what the promise says: nothing committed lost, nothing out of order, nobody stuck.
/// </summary>
public sealed class TargetedKillTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private const int MaxLength = 256;
    private const int SigKilled = 137;

    [Theory]
    [InlineData(ProtocolPoint.MpscAnnounced)]
    [InlineData(ProtocolPoint.MpscClaimed)]
    [InlineData(ProtocolPoint.MpscFilling)]
    public async Task An_mpsc_producer_killed_at_a_point_of_its_claim_keeps_what_it_committed_and_blocks_nobody(string point)
    {
        using var channel = new TestChannel("kill-at");
        using SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, Mpsc(channel));

        // Its 50th claim is where it dies: records 0-48 are committed (one producer: every claim's CAS succeeds at once).
        using ChildProcess victim = ChildProcess.StartWith(KillAt(point, 50), "mpsc-produce", channel.Directory, channel.Name, "1", "1000", MaxLength.ToString());
        Assert.Equal(SigKilled, await victim.ExitCodeAsync(Bound));
        using ChildProcess next = ChildProcess.Start("mpsc-produce", channel.Directory, channel.Name, "2", "200", MaxLength.ToString());

        Dictionary<long, long> received = ReadUntil(reader, stopAfter: ProducerKey.Of(2, 199));
        Assert.Equal(49, received.GetValueOrDefault(1));
        Assert.Equal(200, received.GetValueOrDefault(2));
        Assert.Equal(0, await next.ExitCodeAsync(Bound));
    }

    [Fact]
    public async Task An_mpsc_consumer_killed_between_zeroing_and_head_is_finished_by_the_next_one()
    {
        using var channel = new TestChannel("kill-at");
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, Mpsc(channel));
        Write(writer, producer: 1, from: 0, count: 100);

        // It dies after zeroing its 20th record (0-19 consumed, Head not yet past 19): the next consumer finishes that
        // record and reads on from 20, neither reading 19 again (zeroed: it would wait there forever) nor skipping 20.
        using (ChildProcess consumer = ChildProcess.StartWith(KillAt(ProtocolPoint.MpscZeroing, 20), "mpsc-consume", channel.Directory, channel.Name))
        {
            Assert.Equal(SigKilled, await consumer.ExitCodeAsync(Bound));
        }

        using SharedChannelReader next = SharedChannel.OpenReader(channel.Name, channel.Options());
        Dictionary<long, long> received = ReadUntil(next, stopAfter: ProducerKey.Of(1, 99), firstOf1: 20);
        Assert.Equal(80, received[1]);
    }

    [Theory]
    [InlineData(ProtocolPoint.MpscPadding)]
    [InlineData(ProtocolPoint.DeadRowFound)]
    public async Task An_mpsc_consumer_killed_while_recovering_a_dead_claim_leaves_it_to_the_next_one(string point)
    {
        using var channel = new TestChannel("kill-at");
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, Mpsc(channel));
        Write(writer, producer: 1, from: 0, count: 10);
        using (ChildProcess dead = ChildProcess.StartWith(KillAt(ProtocolPoint.MpscFilling, 5), "mpsc-produce", channel.Directory, channel.Name, "2", "100", MaxLength.ToString()))
        {
            Assert.Equal(SigKilled, await dead.ExitCodeAsync(Bound)); // 0-3 committed, the 5th claimed and never committed
        }

        Write(writer, producer: 1, from: 10, count: 10);

        // The consumer reads to the dead claim, finds the writer's row dead and decides to pad it: killed there, first
        // at finding the dead row, or after deciding, before the padding is published.
        using (ChildProcess consumer = ChildProcess.StartWith(KillAt(point, 1), "mpsc-consume", channel.Directory, channel.Name))
        {
            Assert.Equal(SigKilled, await consumer.ExitCodeAsync(Bound));
        }

        using SharedChannelReader next = SharedChannel.OpenReader(channel.Name, channel.Options());
        Dictionary<long, long> received = ReadUntil(next, stopAfter: ProducerKey.Of(1, 19), firstOf1: 10);
        Assert.Equal(10, received[1]);
        Assert.False(received.ContainsKey(2)); // the dead writer's records were read by the killed consumer
    }

    [Theory]
    [InlineData(ProtocolPoint.BroadcastAnnounced)]
    [InlineData(ProtocolPoint.BroadcastSequencePublished)]
    public async Task A_broadcast_producer_killed_at_a_point_of_its_write_is_taken_over_and_the_subscriber_reads_on(string point)
    {
        using var channel = new TestChannel("kill-at");
        SharedChannelOptions options = channel.Options(capacity: 1 << 16, maxMessageSize: MaxLength);
        options.Topology = ChannelTopology.Broadcast;
        using SharedChannelReader subscriber = SharedChannel.CreateReader(channel.Name, options);

        // Killed inside its 50th record: 0-48 are committed, the 50th never is.
        using (ChildProcess victim = ChildProcess.StartWith(KillAt(point, 50), "mpsc-produce", channel.Directory, channel.Name, "1", "1000", MaxLength.ToString()))
        {
            Assert.Equal(SigKilled, await victim.ExitCodeAsync(Bound));
        }

        // A new writer takes over before the subscriber looked at the dead one (it has not waited yet).
        using (SharedChannelWriter writer = SharedChannel.OpenWriter(channel.Name, channel.Options()))
        {
            Write(writer, producer: 2, from: 0, count: 20);
            writer.Complete();
        }

        Dictionary<long, long> received = ReadUntil(subscriber, stopAfter: ProducerKey.Of(2, 19));
        Assert.Equal(49, received[1]);
        Assert.Equal(20, received[2]);
    }

    private static Dictionary<string, string> KillAt(string point, int reach) => new() { ["NEOBUFFER_KILL_AT"] = $"{point}@{reach}" };

    private static SharedChannelOptions Mpsc(TestChannel channel)
    {
        SharedChannelOptions options = channel.Options(capacity: 1 << 16, maxMessageSize: MaxLength);
        options.Topology = ChannelTopology.MultiProducerSingleConsumer;
        return options;
    }

    private static void Write(SharedChannelWriter writer, long producer, long from, int count)
    {
        for (long sequence = from; sequence < from + count; sequence++)
        {
            long key = ProducerKey.Of(producer, sequence);
            WriteClaim claim = writer.Claim(SequencedRecord.LengthOf(key, MaxLength), Bound);
            SequencedRecord.Fill(claim.Payload, key);
            claim.Commit();
        }
    }

    /// <summary>
    /// Reads and checks records until the one keyed <paramref name="stopAfter"/>; every producer's records must come in
    /// order without a gap (producer 1 from <paramref name="firstOf1"/>, the others from 0). Returns how many arrived per
    /// producer. Every wait is bounded: a reader stuck at a dead claim fails the test instead of hanging the run.
    /// </summary>
    private static Dictionary<long, long> ReadUntil(SharedChannelReader reader, long stopAfter, long firstOf1 = 0)
    {
        var received = new Dictionary<long, long>();
        while (true)
        {
            Assert.True(reader.WaitToRead(Bound), "the channel completed before the last record arrived");
            while (reader.TryLease(out ReadLease lease))
            {
                using (lease)
                {
                    long key = BinaryPrimitives.ReadInt64LittleEndian(lease.Payload);
                    long producer = ProducerKey.ProducerOf(key);
                    long expected = (producer == 1 ? firstOf1 : 0) + received.GetValueOrDefault(producer);
                    Assert.Equal(ProducerKey.Of(producer, expected), key);
                    Assert.Null(SequencedRecord.Verify(lease.Payload, key, MaxLength));
                    received[producer] = received.GetValueOrDefault(producer) + 1;
                    if (key == stopAfter)
                    {
                        return received;
                    }
                }
            }
        }
    }
}
