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
/// still reads open. The other writers end their stream there, finishing the completion for the dead completer
/// (faulted, saying so), instead of taking the closed counter for room and retrying for ever; the reader sees that end
/// after everything that was committed.
/// </summary>
public sealed class ClosedClaimCounterTests
{
    private const long ClaimTail = 0x480;
    private const long ClosedBit = 1L << 62;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_writer_killed_between_closing_claims_and_completing_ends_the_other_writers_and_the_reader_clearly()
    {
        using var channel = new TestChannel("closed-claims");
        SharedChannelOptions options = channel.Options();
        options.Topology = ChannelTopology.MultiProducerSingleConsumer;
        using SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, options);
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

        Assert.True(reader.TryRead(out long first));
        Assert.Equal(1L, first); // what was committed before is delivered
        var end = Assert.Throws<ChannelClosedException>(() => reader.WaitToRead(Bound));
        Assert.Contains("stopped between closing and completing", end.Message);
    }

    [Fact]
    public async Task A_claim_counter_closed_by_a_peer_without_completing_is_the_end_for_writers_not_room()
    {
        using var channel = new TestChannel("closed-claims");
        SharedChannelOptions options = channel.Options();
        options.Topology = ChannelTopology.MultiProducerSingleConsumer;
        using SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, options);
        using SharedChannelWriter writer = SharedChannel.OpenWriter(channel.Name, channel.Options());
        var bytes = new SegmentBytes(channel);
        bytes.WriteLong(ClaimTail, bytes.ReadLong(ClaimTail) | ClosedBit);

        Assert.False(writer.TryWrite(1L));
        Assert.False(await writer.WaitToWriteAsync(sizeof(long), Bound)); // used to say "room", at once, for ever
        Assert.False(writer.WaitToWrite(sizeof(long), Bound));
        Assert.Throws<ChannelClosedException>(() => writer.Claim(sizeof(long), Bound));
        Assert.Throws<ChannelClosedException>(() => reader.WaitToRead(Bound));
    }
}
