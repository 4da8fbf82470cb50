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
/// still reads open (until the reader faults it: UnrecordedCompletionTests). The other writers take it for their end, at once and within their timeouts, instead of for room
/// (they used to retry for ever at full speed); and only the closer records the completion, so a writer completing in
/// reaction to that end never overrides the closer's outcome.
/// </summary>
public sealed class ClosedClaimCounterTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_writer_killed_between_closing_claims_and_completing_ends_the_other_writers_within_their_timeouts()
    {
        using var channel = new TestChannel("closed-claims");
        using SharedChannelReader reader = CreateMpscReader(channel);
        using SharedChannelWriter writer = SharedChannel.OpenWriter(channel.Name, channel.Options());
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
        catch
        {
            writer.Dispose(); // ends a claim that retries for ever, so a failing run fails alone
            throw;
        }

        // What was committed before is delivered. The end was never recorded, and this writer must not record one;
        // the reader finds the closer dead and faults the channel in its stead (UnrecordedCompletionTests).
        Assert.True(reader.TryRead(out long first));
        Assert.Equal(1L, first);
        Assert.False(writer.TryComplete()); // not its completion to record
        var end = Assert.Throws<ChannelClosedException>(() => reader.WaitToRead(Bound));
        Assert.Contains("died while completing it", end.Message);
    }

    [Fact]
    public void A_writer_completing_in_reaction_to_its_end_never_overrides_the_live_closers_completion()
    {
        using var channel = new TestChannel("closed-claims");
        using SharedChannelReader reader = CreateMpscReader(channel);
        using SharedChannelWriter closer = SharedChannel.OpenWriter(channel.Name, channel.Options());
        using SharedChannelWriter other = SharedChannel.OpenWriter(channel.Name, channel.Options());
        bool? otherCompleted = null;
        using (ProtocolPoint.OnThisThread(name =>
        {
            if (name == ProtocolPoint.MpscClosed)
            {
                // The closer is between its two stores: the other writer's writes end, and it completes in reaction.
                Task<bool> reaction = Task.Factory.StartNew(() =>
                {
                    Assert.False(other.WaitToWrite(sizeof(long), Bound));
                    return other.TryComplete();
                }, TaskCreationOptions.LongRunning);
                Assert.True(reaction.Wait(Bound), "the other writer's reaction did not finish");
                otherCompleted = reaction.Result;
            }
        }))
        {
            closer.Complete(new InvalidOperationException("the closer's reason"));
        }

        Assert.False(otherCompleted);
        var end = Assert.Throws<ChannelClosedException>(() => reader.WaitToRead(Bound));
        Assert.EndsWith("InvalidOperationException: the closer's reason", end.Message);
    }

    [Fact]
    public async Task A_claim_counter_closed_by_a_peer_without_completing_is_the_end_for_writers_not_room()
    {
        using var channel = new TestChannel("closed-claims");
        using SharedChannelReader reader = CreateMpscReader(channel);
        using SharedChannelWriter writer = SharedChannel.OpenWriter(channel.Name, channel.Options());
        new SegmentBytes(channel).CloseClaimCounter();

        Assert.False(writer.TryWrite(1L));
        Assert.False(await writer.WaitToWriteAsync(sizeof(long), Bound)); // used to say "room", at once, for ever
        Assert.False(writer.WaitToWrite(sizeof(long), Bound));
        Assert.Throws<ChannelClosedException>(() => writer.Claim(sizeof(long), Bound));
    }

    internal static SharedChannelReader CreateMpscReader(TestChannel channel)
    {
        SharedChannelOptions options = channel.Options();
        options.Topology = ChannelTopology.MultiProducerSingleConsumer;
        return SharedChannel.CreateReader(channel.Name, options);
    }
}
