using System;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using NeoBuffer.Ring;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// The reason a channel was faulted with belongs to the one completion that won: two processes faulting it at once
/// never leave the winner's state with the loser's text (docs/format.md, "Completion").
/// </summary>
public sealed class CompletionReasonTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Two_writers_faulting_at_once_leave_the_winners_reason_whole()
    {
        using var channel = new TestChannel("reason");
        SharedChannelOptions options = channel.Options();
        options.Topology = ChannelTopology.MultiProducerSingleConsumer;
        using SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, options);
        using SharedChannelWriter first = SharedChannel.OpenWriter(channel.Name, channel.Options());
        using SharedChannelWriter second = SharedChannel.OpenWriter(channel.Name, channel.Options());
        using var secondAtPoint = new ManualResetEventSlim();
        using var releaseSecond = new ManualResetEventSlim();
        Task<bool>? secondCompletes = null;
        bool firstWon;
        using (ProtocolPoint.OnThisThread(name =>
        {
            if (name != ProtocolPoint.CompletionReasonWritten || secondCompletes is not null)
            {
                return;
            }

            // The first writer is inside its completion: the second faults the channel meanwhile, and is held at the
            // same point (if it gets there) until the first has finished.
            secondCompletes = Task.Factory.StartNew(() =>
            {
                using (ProtocolPoint.OnThisThread(point =>
                {
                    if (point == ProtocolPoint.CompletionReasonWritten)
                    {
                        secondAtPoint.Set();
                        releaseSecond.Wait(Bound);
                    }
                }))
                {
                    return second.TryComplete(new InvalidOperationException("the second writer's reason"));
                }
            }, TaskCreationOptions.LongRunning);
            WaitHandle.WaitAny([secondAtPoint.WaitHandle, ((IAsyncResult)secondCompletes).AsyncWaitHandle], Bound);
        }))
        {
            firstWon = first.TryComplete(new InvalidOperationException("first"));
        }

        releaseSecond.Set();
        Assert.NotNull(secondCompletes);
        bool secondWon = await secondCompletes.WaitAsync(Bound);
        Assert.True(firstWon ^ secondWon, $"exactly one completion wins (first: {firstWon}, second: {secondWon})");
        var error = Assert.Throws<ChannelClosedException>(() => reader.WaitToRead(Bound));
        string winner = firstWon ? "InvalidOperationException: first" : "InvalidOperationException: the second writer's reason";
        Assert.EndsWith(winner, error.Message);
    }

    [Fact]
    public async Task A_reader_waits_for_the_reason_of_a_faulter_descheduled_before_publishing_it()
    {
        using var channel = new TestChannel("reason");
        using SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, channel.Options());
        using SharedChannelWriter writer = SharedChannel.OpenWriter(channel.Name, channel.Options());
        using var readerWaits = new ManualResetEventSlim();
        Task<ChannelClosedException>? read = null;
        using (ProtocolPoint.OnThisThread(name =>
        {
            if (name != ProtocolPoint.CompletionReasonWritten)
            {
                return;
            }

            // The faulter won and wrote its text; before it publishes Faulted, the reader finds the fault and waits
            // for the reason. Then the faulter stays off the processor 100 ms, as a descheduled thread can.
            read = Task.Factory.StartNew(() =>
            {
                using (ProtocolPoint.OnThisThread(point =>
                {
                    if (point == ProtocolPoint.CompletionReasonAwaited)
                    {
                        readerWaits.Set();
                    }
                }))
                {
                    return Assert.Throws<ChannelClosedException>(() => reader.WaitToRead(Bound));
                }
            }, TaskCreationOptions.LongRunning);
            Assert.True(readerWaits.Wait(Bound), "the reader never waited for the reason");
            Thread.Sleep(100);
        }))
        {
            writer.Complete(new InvalidOperationException("lens cap on"));
        }

        Assert.NotNull(read);
        ChannelClosedException error = await read.WaitAsync(Bound);
        Assert.EndsWith("InvalidOperationException: lens cap on", error.Message);
    }

    [Fact]
    public async Task A_writer_killed_while_writing_its_reason_faults_the_channel_without_a_hang()
    {
        using var channel = new TestChannel("reason");
        using SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, channel.Options());
        using ChildProcess writer = ChildProcess.StartWith(
            new System.Collections.Generic.Dictionary<string, string> { ["NEOBUFFER_KILL_AT"] = ProtocolPoint.CompletionReasonWritten },
            "complete-with-error", channel.Directory, channel.Name, "camera unplugged");
        Assert.NotEqual(0, await writer.ExitCodeAsync(Bound)); // SIGKILLed at the point: it won the completion, never published Faulted

        // The stream has ended (the state says faulting); the reason was never published, and is not waited for.
        var error = Assert.Throws<ChannelClosedException>(() => reader.WaitToRead(Bound));
        Assert.Contains("no reason recorded", error.Message);
        var completion = await Assert.ThrowsAsync<ChannelClosedException>(() => reader.Completion.WaitAsync(Bound));
        Assert.Contains("no reason recorded", completion.Message);
    }
}
