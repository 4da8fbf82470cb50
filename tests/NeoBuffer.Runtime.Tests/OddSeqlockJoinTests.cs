using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Ring;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// A subscriber joins at the tail through the producer's seqlock. One left odd longer than a commit takes is a
/// producer that was descheduled (it is waited for) or one that died inside its commit (the pair is derived from the
/// records): neither is corruption (docs/format.md, "Broadcast protocol").
/// </summary>
public sealed class OddSeqlockJoinTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_subscriber_joining_while_a_live_producer_is_stalled_in_its_commit_waits_for_it()
    {
        using var channel = new TestChannel("odd-seqlock");
        SharedChannelOptions options = channel.Options(capacity: 4096, maxMessageSize: 256);
        options.Topology = ChannelTopology.Broadcast;
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, options);
        for (long i = 0; i < 5; i++)
        {
            Assert.True(writer.TryWrite(i));
        }

        var segment = new SegmentBytes(channel);
        long version = segment.ReadLong(SegmentBytes.TailVersion);
        segment.WriteLong(SegmentBytes.TailVersion, version + 1); // the live producer is "inside its commit"

        using var started = new ManualResetEventSlim();
        Task<SharedChannelReader> joining = Task.Factory.StartNew(() =>
        {
            started.Set();
            return SharedChannel.OpenReader(channel.Name, channel.Options());
        }, TaskCreationOptions.LongRunning);

        // The producer stays stalled past the joiner's patience (one second), not as synchronisation: the joiner must
        // succeed however long the stall, as long as the producer is alive.
        Assert.True(started.Wait(Bound));
        var stalled = Stopwatch.StartNew();
        while (stalled.ElapsedMilliseconds < 1500 && !joining.IsCompleted)
        {
            await Task.Delay(50);
        }

        segment.WriteLong(SegmentBytes.TailVersion, version + 2); // the producer resumes and closes the seqlock
        using SharedChannelReader reader = await joining.WaitAsync(Bound);
        Assert.True(writer.TryWrite(5L));
        Assert.True(reader.TryRead(out long value));
        Assert.Equal(5L, value);
    }

    [Fact]
    public async Task A_seqlock_a_peer_left_odd_under_a_live_producer_is_closed_by_its_next_commit()
    {
        using var channel = new TestChannel("odd-seqlock-peer");
        SharedChannelOptions options = channel.Options(capacity: 4096, maxMessageSize: 256);
        options.Topology = ChannelTopology.Broadcast;
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, options);
        Assert.True(writer.TryWrite(0L));

        // A faulty peer makes the version odd while the producer is between commits; the producer's next commit must
        // leave it even again (a producer that built its versions from the shared word would keep it odd for good,
        // and every joiner would wait for a commit that never closes it).
        var segment = new SegmentBytes(channel);
        segment.WriteLong(SegmentBytes.TailVersion, segment.ReadLong(SegmentBytes.TailVersion) + 1);
        Assert.True(writer.TryWrite(1L));
        Assert.Equal(0, segment.ReadLong(SegmentBytes.TailVersion) & 1);

        using SharedChannelReader reader = await Task.Run(() => SharedChannel.OpenReader(channel.Name, channel.Options())).WaitAsync(Bound);
        Assert.True(writer.TryWrite(2L));
        Assert.True(reader.TryRead(out long value));
        Assert.Equal(2L, value);
    }

    [Fact]
    public async Task A_subscriber_joining_after_the_producer_died_inside_its_commit_joins_at_the_tail_the_records_give()
    {
        const int MaxLength = 256;
        using var channel = new TestChannel("odd-seqlock");
        SharedChannelOptions options = channel.Options(capacity: 1 << 16, maxMessageSize: MaxLength);
        options.Topology = ChannelTopology.Broadcast;
        options.SubscriberMode = SubscriberMode.Lossy; // keeps the segment; never holds the producer back
        using SharedChannelReader keepsTheSegment = SharedChannel.CreateReader(channel.Name, options);

        // Killed inside its fifth commit: TailSequence says 5, Tail still at record 4's claim, TailVersion odd.
        var killAt = new Dictionary<string, string> { ["NEOBUFFER_KILL_AT"] = ProtocolPoint.BroadcastSequencePublished + "@5" };
        using (ChildProcess killed = ChildProcess.StartWith(killAt, "spsc-produce", channel.Directory, channel.Name, "100", MaxLength.ToString(), "0", "0"))
        {
            Assert.NotEqual(0, await killed.ExitCodeAsync(Bound));
        }

        var segment = new SegmentBytes(channel);
        Assert.Equal(1, segment.ReadLong(SegmentBytes.TailVersion) & 1);
        Assert.Equal(5, segment.ReadLong(SegmentBytes.TailSequence));

        SharedChannelReader joined = await Task.Factory.StartNew(
            () => SharedChannel.OpenReader(channel.Name, channel.Options()), TaskCreationOptions.LongRunning).WaitAsync(Bound);
        using (joined)
        {
            // A restarted producer writes record 4 where the dead one failed to: the joiner expects exactly that one.
            using SharedChannelWriter restarted = SharedChannel.OpenWriter(channel.Name, channel.Options());
            WriteClaim claim = restarted.Claim(SequencedRecord.LengthOf(4, MaxLength), Bound);
            SequencedRecord.Fill(claim.Payload, 4);
            claim.Commit();
            Assert.True(joined.TryLease(out ReadLease lease));
            using (lease)
            {
                Assert.Null(SequencedRecord.Verify(lease.Payload, 4, MaxLength));
            }
        }
    }
}
