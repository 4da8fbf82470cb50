using System;
using System.Threading.Tasks;
using NeoBuffer.Ring;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// The broadcast producer against the states its peers can honestly leave behind: a subscriber caught half-way through
/// leaving, a producer killed inside its commit, a subscriber joining while a claim is refused. Each state is built on
/// purpose (docs/format.md, "Broadcast protocol" and "Testing the protocol").
/// </summary>
public sealed class BroadcastRecoveryTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private const long Position = 0x40;
    private const long StateField = 0x00;
    private const long ModeField = 0x08;

    [Fact]
    public void A_tethered_row_caught_mid_release_is_skipped_not_reported_as_corruption()
    {
        // What a producer reads when ParticipantRole.Release runs between its loads of Mode and Position: State still
        // active, Mode still tethered (read before Release cleared it), Position -1 (read after Release stored it).
        using var channel = new TestChannel("bcast-release");
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, BroadcastOptions(channel));
        using SharedChannelReader subscriber = SharedChannel.OpenReader(channel.Name, channel.Options());
        var segment = new SegmentBytes(channel);
        Assert.Equal(2, segment.ReadInt(SegmentBytes.Row(1, StateField))); // active
        Assert.Equal(1, segment.ReadInt(SegmentBytes.Row(1, ModeField))); // tethered
        segment.WriteLong(SegmentBytes.Row(1, Position), -1);

        for (int i = 0; i < 100; i++)
        {
            Assert.True(writer.TryWrite(i)); // nobody holds the producer back: the row is on its way out
        }
    }

    [Theory]
    [InlineData(-8L)]
    [InlineData(12L)]
    [InlineData(1L << 40)]
    public void A_tethered_position_no_subscriber_can_hold_is_still_corruption(long position)
    {
        using var channel = new TestChannel("bcast-release");
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, BroadcastOptions(channel));
        using SharedChannelReader subscriber = SharedChannel.OpenReader(channel.Name, channel.Options());
        new SegmentBytes(channel).WriteLong(SegmentBytes.Row(1, Position), position);

        var error = Assert.Throws<ChannelCorruptedException>(() => writer.TryWrite(1));
        Assert.Contains("subscriber 1", error.Message);
    }

    [Fact]
    public void A_claim_refused_for_a_new_tethered_subscriber_announces_no_overwrite()
    {
        using var channel = new TestChannel("bcast-refused");
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, BroadcastOptions(channel));
        for (int i = 0; i < 200; i++)
        {
            Assert.True(writer.TryWrite(new byte[100])); // nobody tethered: the ring laps freely
        }

        SharedChannelOptions lossyOptions = channel.Options();
        lossyOptions.SubscriberMode = SubscriberMode.Lossy;
        lossyOptions.SubscriberStart = SubscriberStart.Oldest;
        using SharedChannelReader lossy = SharedChannel.OpenReader(channel.Name, lossyOptions);
        Assert.True(lossy.TryLease(out ReadLease oldestLease));
        using (oldestLease)
        {
            // A tethered subscriber joins at the oldest record: the producer's cached limit (nobody tethered) is stale,
            // and only the JoinEpoch it bumped tells the producer to look.
            SharedChannelOptions tetheredOptions = channel.Options();
            tetheredOptions.SubscriberStart = SubscriberStart.Oldest;
            using SharedChannelReader tethered = SharedChannel.OpenReader(channel.Name, tetheredOptions);
            var segment = new SegmentBytes(channel);
            long intent = segment.ReadLong(SegmentBytes.TailIntent);
            long oldest = segment.ReadLong(SegmentBytes.Oldest);

            Assert.False(writer.TryWrite(new byte[100])); // it would overwrite the tethered subscriber's first record
            Assert.Equal(intent, segment.ReadLong(SegmentBytes.TailIntent));
            Assert.Equal(oldest, segment.ReadLong(SegmentBytes.Oldest));
            Assert.False(oldestLease.IsOverwritten); // the lossy reader's record is intact, and is not reported lost
        }

        Assert.Equal(0, lossy.LostMessages);
    }

    [Fact]
    public void A_subscriber_joining_right_after_an_announcement_starts_past_it_and_the_claim_goes_on()
    {
        // The other half of the store-fence-load pair: a joiner that sees the announcement picks a later start, so the
        // claim's second look at the rows finds nothing to refuse.
        using var channel = new TestChannel("bcast-join");
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, BroadcastOptions(channel));
        long written = 0;
        for (; written < 200; written++)
        {
            Assert.True(writer.TryWrite(written));
        }

        SharedChannelOptions tetheredOptions = channel.Options();
        tetheredOptions.SubscriberStart = SubscriberStart.Oldest;
        SharedChannelReader? joiner = null;
        try
        {
            using (ProtocolPoint.OnThisThread(point =>
            {
                if (point == ProtocolPoint.BroadcastAnnounced && joiner is null)
                {
                    joiner = SharedChannel.OpenReader(channel.Name, tetheredOptions);
                }
            }))
            {
                Assert.True(writer.TryWrite(written++));
            }

            Assert.NotNull(joiner);
            Assert.True(joiner.TryRead(out long previous));
            while (joiner.TryRead(out long value))
            {
                Assert.Equal(previous + 1, value);
                previous = value;
            }

            Assert.Equal(written - 1, previous); // up to the record whose claim it joined during

            for (; written < 400; written++)
            {
                Assert.True(writer.TryWrite(written));
                Assert.True(joiner.TryRead(out long value));
                Assert.Equal(written, value);
            }
        }
        finally
        {
            joiner?.Dispose();
        }
    }

    [Fact]
    public async Task A_producer_killed_between_TailSequence_and_Tail_is_followed_by_one_whose_records_every_subscriber_reads()
    {
        const int MaxLength = 256;
        using var channel = new TestChannel("bcast-commit");
        using SharedChannelReader tethered = SharedChannel.CreateReader(channel.Name, BroadcastOptions(channel, capacity: 1 << 16, maxMessageSize: MaxLength));

        // The child dies inside its fifth commit (record 4): TailSequence already says 5, Tail still points at record 4's
        // claim, TailVersion is odd. (spsc-produce writes through whatever topology the segment has.)
        var killAt = new System.Collections.Generic.Dictionary<string, string> { ["NEOBUFFER_KILL_AT"] = ProtocolPoint.BroadcastSequencePublished + "@5" };
        using (ChildProcess killed = ChildProcess.StartWith(killAt, "spsc-produce", channel.Directory, channel.Name, "100", MaxLength.ToString(), "0", "0"))
        {
            Assert.NotEqual(0, await killed.ExitCodeAsync(Bound));
        }

        var segment = new SegmentBytes(channel);
        Assert.Equal(1, segment.ReadLong(SegmentBytes.TailVersion) & 1);
        Assert.Equal(5, segment.ReadLong(SegmentBytes.TailSequence));

        long next = 0;
        ReadAll(tethered, ref next);
        Assert.Equal(4, next); // record 4 was never published: the commit did not reach Tail

        using (SharedChannelWriter restarted = SharedChannel.OpenWriter(channel.Name, channel.Options()))
        {
            for (long sequence = 4; sequence < 20; sequence++)
            {
                WriteClaim claim = restarted.Claim(SequencedRecord.LengthOf(sequence, MaxLength), Bound);
                SequencedRecord.Fill(claim.Payload, sequence);
                claim.Commit();
            }

            ReadAll(tethered, ref next);
            Assert.Equal(20, next);

            // A subscriber joining now reads the seqlock the restarted producer keeps, and the next record after it.
            using SharedChannelReader late = SharedChannel.OpenReader(channel.Name, channel.Options());
            WriteClaim last = restarted.Claim(SequencedRecord.LengthOf(20, MaxLength), Bound);
            SequencedRecord.Fill(last.Payload, 20);
            last.Commit();
            long lateNext = 20;
            ReadAll(late, ref lateNext);
            Assert.Equal(21, lateNext);
        }
    }

    [Fact]
    public void A_commit_cut_short_where_no_published_message_is_left_behind_the_tail_is_resolved_from_the_claim_itself()
    {
        // Two largest messages in a 4 KiB ring, the second wrapping: its claim's overwrite ends past every message before
        // it, so Oldest reaches its start and no message lies between Oldest and Tail to count from.
        using var channel = new TestChannel("bcast-commit");
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, BroadcastOptions(channel, capacity: 4096, maxMessageSize: 1904));
        for (int i = 0; i < 11; i++)
        {
            Assert.True(writer.TryWrite(new byte[8])); // 11 x 24 bytes: the next large message starts at offset 304
        }

        Assert.True(writer.TryWrite(new byte[1904]));
        var segment = new SegmentBytes(channel);
        long claimStart = segment.ReadLong(SegmentBytes.Tail);
        using SharedChannelReader tethered = SharedChannel.OpenReader(channel.Name, channel.Options()); // at claimStart, expecting 12
        Assert.True(writer.TryWrite(new byte[1904]));
        writer.Dispose();
        Assert.Equal(claimStart, segment.ReadLong(SegmentBytes.Oldest));
        Assert.Equal(13, segment.ReadLong(SegmentBytes.TailSequence));

        // As the producer left it had it died after storing TailSequence and before storing Tail.
        segment.WriteLong(SegmentBytes.Tail, claimStart);
        segment.WriteLong(SegmentBytes.TailVersion, segment.ReadLong(SegmentBytes.TailVersion) + 1);

        using SharedChannelWriter restarted = SharedChannel.OpenWriter(channel.Name, channel.Options());
        Assert.Equal(12, segment.ReadLong(SegmentBytes.TailSequence));
        Assert.True(restarted.TryWrite(42L));
        Assert.True(tethered.TryRead(out long value));
        Assert.Equal(42, value);
    }

    [Fact]
    public void A_commit_cut_short_whose_records_contradict_the_stored_sequence_is_corruption()
    {
        using var channel = new TestChannel("bcast-commit");
        using SharedChannelReader keepsTheSegment = SharedChannel.CreateReader(channel.Name, BroadcastOptions(channel));
        using (SharedChannelWriter writer = SharedChannel.OpenWriter(channel.Name, channel.Options()))
        {
            for (long i = 0; i < 10; i++)
            {
                Assert.True(writer.TryWrite(i));
            }
        }

        var segment = new SegmentBytes(channel);
        segment.WriteLong(SegmentBytes.TailSequence, 30); // the records before Tail end at 9: 10 would be next, not 30 or 29
        segment.WriteLong(SegmentBytes.TailVersion, segment.ReadLong(SegmentBytes.TailVersion) + 1);
        var error = Assert.Throws<ChannelCorruptedException>(() => SharedChannel.OpenWriter(channel.Name, channel.Options()));
        Assert.Contains("sequence 10", error.Message);
    }

    private static void ReadAll(SharedChannelReader reader, ref long next)
    {
        while (reader.TryLease(out ReadLease lease))
        {
            using (lease)
            {
                Assert.Null(SequencedRecord.Verify(lease.Payload, next, 256));
            }

            next++;
        }
    }

    private static SharedChannelOptions BroadcastOptions(TestChannel channel, long capacity = 4096, int maxMessageSize = 256)
    {
        SharedChannelOptions options = channel.Options(capacity, maxMessageSize);
        options.Topology = ChannelTopology.Broadcast;
        return options;
    }
}
