using System;
using System.Collections.Generic;
using System.Threading.Channels;
using System.Threading.Tasks;
using NeoBuffer.Ring;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// An MPSC completion closes the claim counter (ClaimTail's closed bit) and then records the completion. A completer
/// that dies between the two, or a peer that sets the bit alone, leaves a counter no claim can pass while the channel
/// still reads open. The other writers take it for the end, at once and within their timeouts, instead of for room
/// (they used to retry for ever at full speed); a surviving writer can then complete the channel for the reader.
/// </summary>
public sealed class ClosedClaimCounterTests
{
    private const long ClaimTail = 0x480;
    private const long ClosedBit = 1L << 62;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_writer_killed_between_closing_claims_and_completing_ends_the_other_writers_who_can_complete_for_the_reader()
    {
        using var channel = new TestChannel("closed-claims");
        using SharedChannelReader reader = CreateMpscReader(channel);
        using SharedChannelWriter writer = SharedChannel.OpenWriter(channel.Name, channel.Options());
        using SharedChannelWriter rescuer = SharedChannel.OpenWriter(channel.Name, channel.Options());
        Assert.True(writer.TryWrite(1L));
        using (ChildProcess completer = ChildProcess.StartWith(
            new Dictionary<string, string> { ["NEOBUFFER_KILL_AT"] = ProtocolPoint.MpscClosed },
            "complete-with-error", channel.Directory, channel.Name, "done"))
        {
            Assert.NotEqual(0, await completer.ExitCodeAsync(Bound)); // SIGKILLed with the counter closed, the completion not recorded
        }

        Task<Exception?> claim = Task.Factory.StartNew(() =>
        {
            try
            {
                using WriteClaim never = writer.Claim(sizeof(long), TimeSpan.FromSeconds(5));
                return null;
            }
            catch (Exception error)
            {
                return error;
            }
        }, TaskCreationOptions.LongRunning);
        try
        {
            Exception? refused = await BoundedWork.Within(claim, Bound, "a claim on a channel whose claim counter a dead completer closed");
            Assert.IsType<ChannelClosedException>(refused);
        }
        finally
        {
            rescuer.TryComplete(); // ends a claim that retries for ever, so a failing run fails alone
        }

        // The rescuer's completion found the counter closed and recorded the end: the reader gets what was committed, then the end.
        Assert.True(reader.TryRead(out long first));
        Assert.Equal(1L, first);
        Assert.False(reader.WaitToRead(Bound));
    }

    [Fact]
    public async Task A_claim_counter_closed_by_a_peer_without_completing_is_the_end_for_writers_not_room()
    {
        using var channel = new TestChannel("closed-claims");
        using SharedChannelReader reader = CreateMpscReader(channel);
        using SharedChannelWriter writer = SharedChannel.OpenWriter(channel.Name, channel.Options());
        var bytes = new SegmentBytes(channel);
        bytes.WriteLong(ClaimTail, bytes.ReadLong(ClaimTail) | ClosedBit);

        Assert.False(writer.TryWrite(1L));
        Assert.False(await writer.WaitToWriteAsync(sizeof(long), Bound)); // used to say "room", at once, for ever
        Assert.False(writer.WaitToWrite(sizeof(long), Bound));
        Assert.Throws<ChannelClosedException>(() => writer.Claim(sizeof(long), Bound));
    }

    private static SharedChannelReader CreateMpscReader(TestChannel channel)
    {
        SharedChannelOptions options = channel.Options();
        options.Topology = ChannelTopology.MultiProducerSingleConsumer;
        return SharedChannel.CreateReader(channel.Name, options);
    }
}
