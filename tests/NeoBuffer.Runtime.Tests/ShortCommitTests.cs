using System;
using System.Threading.Tasks;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>Committing fewer bytes than were claimed, on every topology: the reader sees exactly what was committed.</summary>
public sealed class ShortCommitTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(2);

    // (claimed, committed): small and large claims (large ones are 64-aligned), shrunk within and across that threshold,
    // to nothing, and not at all. In a ring of 16 KiB, enough rounds to wrap it many times at every offset.
    private static readonly (int Claimed, int Committed)[] Shapes =
    [
        (100, 1), (100, 0), (4000, 10), (2048, 1500), (1024, 1023), (64, 64), (3000, 2999), (9, 8), (1500, 17),
    ];

    [Theory]
    [InlineData(ChannelTopology.SingleProducerSingleConsumer)]
    [InlineData(ChannelTopology.MultiProducerSingleConsumer)]
    [InlineData(ChannelTopology.Broadcast)]
    public void A_shorter_commit_is_read_back_exactly_and_the_next_record_follows_it(ChannelTopology topology)
    {
        using var channel = new TestChannel("short");
        using SharedChannelReader reader = CreateReader(channel, topology);
        using SharedChannelWriter writer = SharedChannel.OpenWriter(channel.Name, channel.Options());
        var deadline = Deadline.In(Generous, "writing and reading short commits");
        for (int round = 0; round < 150; round++)
        {
            (int claimed, int committed) = Shapes[round % Shapes.Length];
            byte fill = (byte)(round + 1);
            WriteClaim claim = writer.Claim(claimed, Generous);
            claim.Payload.Fill(fill);
            claim.Commit(committed);
            writer.Write([(byte)~fill, fill], Generous); // right behind the short record (or its padding)

            ExpectMessage(reader, deadline, committed, fill);
            ExpectMessage(reader, deadline, 2, (byte)~fill, fill);
        }

        Assert.False(reader.TryLease(out _));
    }

    [Theory]
    [InlineData(ChannelTopology.SingleProducerSingleConsumer)]
    [InlineData(ChannelTopology.MultiProducerSingleConsumer)]
    [InlineData(ChannelTopology.Broadcast)]
    public void After_a_shorter_commit_the_reader_finds_nothing_more_until_the_next_message(ChannelTopology topology)
    {
        // The claim's payload, filled with non-zero bytes, lies where the shorter record ends: only the commit's own
        // marking of that end (a zero header, or padding) keeps the reader from taking those bytes for a record.
        using var channel = new TestChannel("short");
        using SharedChannelReader reader = CreateReader(channel, topology);
        using SharedChannelWriter writer = SharedChannel.OpenWriter(channel.Name, channel.Options());
        var deadline = Deadline.In(Generous, "reading short commits one at a time");
        for (int round = 0; round < 150; round++)
        {
            (int claimed, int committed) = Shapes[round % Shapes.Length];
            byte fill = (byte)(round | 1);
            WriteClaim claim = writer.Claim(claimed, Generous);
            claim.Payload.Fill(fill);
            claim.Commit(committed);

            ExpectMessage(reader, deadline, committed, fill);
            Assert.False(reader.TryLease(out _), $"round {round}: a message appeared after a {committed}-byte commit of a {claimed}-byte claim");
        }
    }

    [Theory]
    [InlineData(ChannelTopology.SingleProducerSingleConsumer)]
    [InlineData(ChannelTopology.MultiProducerSingleConsumer)]
    [InlineData(ChannelTopology.Broadcast)]
    public void After_an_aborted_claim_a_claim_of_another_length_leaves_nothing_more_to_read(ChannelTopology topology)
    {
        // The aborted claim's non-zero bytes lie where the next, shorter record ends: that claim must mark its own end,
        // whatever the claim before it left there.
        using var channel = new TestChannel("short");
        using SharedChannelReader reader = CreateReader(channel, topology);
        using SharedChannelWriter writer = SharedChannel.OpenWriter(channel.Name, channel.Options());
        var deadline = Deadline.In(Generous, "reading claims made after aborted ones");
        for (int round = 0; round < 150; round++)
        {
            WriteClaim aborted = writer.Claim(1500 + (round * 37 % 2000), Generous);
            aborted.Payload.Fill(0xAB);
            aborted.Abort();

            int length = 9 + (round * 13 % 120);
            byte fill = (byte)(round | 1);
            WriteClaim claim = writer.Claim(length, Generous);
            claim.Payload.Fill(fill);
            if (round % 3 == 0)
            {
                claim.Commit(length - 1);
                length--;
            }
            else
            {
                claim.Commit();
            }

            ExpectMessage(reader, deadline, length, fill);
            Assert.False(reader.TryLease(out _), $"round {round}: a message appeared after a {length}-byte record that followed an aborted claim");
        }
    }

    [Fact]
    public async Task Mpsc_a_second_writer_process_claims_after_a_shrunk_claim_and_both_are_read_back_exactly()
    {
        using var channel = new TestChannel("short");
        using SharedChannelReader reader = CreateReader(channel, ChannelTopology.MultiProducerSingleConsumer);
        using SharedChannelWriter writer = SharedChannel.OpenWriter(channel.Name, channel.Options());
        using ClaimBufferWriter output = writer.CreateBufferWriter(); // a claim that lives across the await below
        var deadline = Deadline.In(Generous, "reading the two writers' short commits");
        for (int round = 0; round < 3; round++)
        {
            // This claim stays open while the child claims: the child's extent is reserved right after ours, before
            // ours shrinks. The child shrinks its own too, and our next message follows that.
            output.Claim(2000, Generous);
            output.GetSpan(2000).Fill(0x11);
            output.Advance(100);
            using (ChildProcess child = ChildProcess.Start("commit-short", channel.Directory, channel.Name, "1500", "10", "34"))
            {
                Assert.Equal(0, await child.ExitCodeAsync(Generous));
            }

            output.Commit();
            writer.Write([7, 7, 7], Generous);

            ExpectMessage(reader, deadline, 100, 0x11);
            ExpectMessage(reader, deadline, 10, 34);
            ExpectMessage(reader, deadline, 3, 7);
        }

        Assert.False(reader.TryLease(out _));
    }

    [Fact]
    public void A_commit_longer_than_the_claim_is_refused_and_the_claim_stays_open()
    {
        using var channel = new TestChannel("short");
        using SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, channel.Options());
        using SharedChannelWriter writer = SharedChannel.OpenWriter(channel.Name, channel.Options());

        WriteClaim claim = writer.Claim(16);
        claim.Payload.Fill(5);
        ArgumentOutOfRangeException? tooLong = null, negative = null;
        try
        {
            claim.Commit(17);
        }
        catch (ArgumentOutOfRangeException e)
        {
            tooLong = e;
        }

        try
        {
            claim.Commit(-1);
        }
        catch (ArgumentOutOfRangeException e)
        {
            negative = e;
        }

        Assert.NotNull(tooLong);
        Assert.Contains("claim of 16 bytes", tooLong.Message);
        Assert.Equal("length", negative?.ParamName);
        claim.Commit(16); // still open: nothing was lost

        ExpectMessage(reader, Deadline.In(Generous, "reading the message"), 16, 5);
        Assert.False(reader.TryLease(out _));
    }

    // A 16 KiB ring of the topology, wrapped many times over by the 150 rounds of a test, with room for the largest claim.
    private static SharedChannelReader CreateReader(TestChannel channel, ChannelTopology topology)
    {
        SharedChannelOptions options = channel.Options(capacity: 16384, maxMessageSize: 4096);
        options.Topology = topology;
        return SharedChannel.CreateReader(channel.Name, options);
    }

    private static void ExpectMessage(SharedChannelReader reader, Deadline deadline, int length, byte fill, byte last = 0)
    {
        using (ReadLease lease = ClaimBufferWriterTests.NextLease(reader, deadline))
        {
            ReadOnlySpan<byte> payload = lease.Payload;
            Assert.Equal(length, payload.Length);
            if (last != 0)
            {
                Assert.Equal(fill, payload[0]);
                Assert.Equal(last, payload[^1]);
            }
            else
            {
                Assert.True(payload.IndexOfAnyExcept(fill) < 0, $"a {length}-byte message holds a byte other than {fill}");
            }
        }
    }
}
