using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Channels;
using System.Threading.Tasks;
using NeoBuffer.Inspection;
using NeoBuffer.Ring;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// An MPSC completion closes the claim counter, then records the outcome; the closer announces itself in its row
/// (closing) in between. A closer that dies there, or a closed bit that no closer set, leaves nothing more to read and no
/// outcome: the reader proves it (the dead row under its lock, or no announcement) and faults the channel, so readers
/// read everything committed and then get <see cref="ChannelClosedException"/>, and Completion faults, instead of
/// waiting for ever. A live closer held between its two stores is waited for (docs/format.md, "MPSC protocol").
/// </summary>
public sealed class UnrecordedCompletionTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_closer_killed_between_closing_the_claims_and_completing_faults_the_channel_after_everything_committed()
    {
        using var channel = new TestChannel("unrecorded");
        using var work = new BoundedWork();
        var (reader, writer) = OpenBoth(channel, work);
        Assert.True(writer.TryWrite(-1L));
        int pid = await KillCloserAtClosed(channel, messages: 3);

        Task completion = reader.Completion; // its watch runs the same check, on the futex waiter thread
        Task<(List<long> Read, ChannelClosedException End)> reading = work.Start(() =>
        {
            var read = new List<long>();
            ChannelClosedException end = Assert.Throws<ChannelClosedException>(() =>
            {
                while (reader.WaitToRead(work.Stopping)) // untimed: it used to wait for ever
                {
                    while (reader.TryRead(out long value))
                    {
                        read.Add(value);
                    }
                }
            });
            return (read, end);
        });

        var (messages, ended) = await BoundedWork.Within(reading, Bound, "an untimed wait on a channel whose closer died");
        Assert.Equal([-1L, 0L, 1L, 2L], messages); // everything committed, then the end
        Assert.Contains($"its writer (pid {pid}) died while completing it", ended.Message);
        var faulted = await Assert.ThrowsAsync<ChannelClosedException>(() => BoundedWork.Within(completion, Bound, "Completion"));
        Assert.Contains($"(pid {pid}) died while completing it", faulted.Message);
        Assert.False(writer.TryWrite(4L));
    }

    [Fact]
    public async Task A_claim_counter_closed_by_no_completing_writer_faults_the_channel_saying_so()
    {
        using var channel = new TestChannel("unrecorded");
        using var work = new BoundedWork();
        var (reader, writer) = OpenBoth(channel, work);
        Assert.True(writer.TryWrite(5L));
        Assert.True(writer.TryWrite(6L));
        new SegmentBytes(channel).CloseClaimCounter(); // the bit alone: no row announces closing
        Task completion = reader.Completion;

        Assert.True(reader.TryRead(out long first));
        Assert.True(reader.TryRead(out long second));
        Assert.Equal((5L, 6L), (first, second));
        Task<ChannelClosedException> timed = work.Start(() => Assert.Throws<ChannelClosedException>(() => reader.WaitToRead(Bound, work.Stopping)));
        ChannelClosedException end = await BoundedWork.Within(timed, Bound + Bound, "a timed wait on a channel closed by no completing writer"); // it used to time out
        Assert.Contains("closed by no completing writer", end.Message);

        var all = new List<long>();
        var readAll = await Assert.ThrowsAsync<ChannelClosedException>(() => BoundedWork.Within(ReadAllAsync(reader, all), Bound, "ReadAllAsync"));
        Assert.Contains("closed by no completing writer", readAll.Message);
        Assert.Empty(all);
        await Assert.ThrowsAsync<ChannelClosedException>(() => BoundedWork.Within(completion, Bound, "Completion"));
    }

    [Fact]
    public async Task ReadAllAsync_on_a_channel_whose_closer_died_ends_with_the_fault()
    {
        using var channel = new TestChannel("unrecorded");
        using var work = new BoundedWork();
        SharedChannelReader reader = work.Uses(ClosedClaimCounterTests.CreateMpscReader(channel));
        int pid = await KillCloserAtClosed(channel, messages: 2);

        var all = new List<long>();
        var end = await Assert.ThrowsAsync<ChannelClosedException>(() => BoundedWork.Within(ReadAllAsync(reader, all, work.Stopping), Bound, "ReadAllAsync"));
        Assert.Equal([0L, 1L], all);
        Assert.Contains($"(pid {pid}) died while completing it", end.Message);
    }

    [Fact]
    public void A_live_closer_held_between_closing_the_claims_and_completing_is_waited_for()
    {
        using var channel = new TestChannel("unrecorded");
        using SharedChannelReader reader = ClosedClaimCounterTests.CreateMpscReader(channel);
        using SharedChannelWriter closer = SharedChannel.OpenWriter(channel.Name, channel.Options());
        Assert.True(closer.TryWrite(7L));
        Task completion = reader.Completion;
        Exception? heldWait = null;
        using (ProtocolPoint.OnThisThread(name =>
        {
            if (name == ProtocolPoint.MpscClosed)
            {
                // The closer is between its two stores, alive: the reader reads what was committed, then waits on
                // through several quiet slices (each a peer check), and neither it nor the completion watch faults.
                Task<Exception?> waiting = Task.Factory.StartNew(() =>
                {
                    try
                    {
                        Assert.True(reader.TryRead(out long value));
                        Assert.Equal(7L, value);
                        reader.WaitToRead(TimeSpan.FromMilliseconds(600));
                        return null;
                    }
                    catch (Exception error)
                    {
                        return error;
                    }
                }, TaskCreationOptions.LongRunning);
                Assert.True(waiting.Wait(Bound), "the reader's timed wait did not end");
                heldWait = waiting.Result;
                Assert.False(completion.IsCompleted, "Completion ended while the closer was alive and about to record it");
            }
        }))
        {
            closer.Complete(new InvalidOperationException("the closer's reason"));
        }

        Assert.IsType<TimeoutException>(heldWait); // waited on: not faulted
        var end = Assert.Throws<ChannelClosedException>(() => reader.WaitToRead(Bound));
        Assert.EndsWith("InvalidOperationException: the closer's reason", end.Message);
        var faulted = Assert.Throws<AggregateException>(() => completion.Wait(Bound));
        Assert.EndsWith("InvalidOperationException: the closer's reason", Assert.IsType<ChannelClosedException>(faulted.InnerException).Message);
    }

    [Fact]
    public async Task A_dead_closers_row_is_kept_until_the_fault_is_recorded_and_a_writer_that_needs_it_records_it()
    {
        using var channel = new TestChannel("unrecorded");
        SharedChannelOptions options = channel.Options();
        options.Topology = ChannelTopology.MultiProducerSingleConsumer;
        options.MaxProducers = 1;
        using SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, options);
        int pid = await KillCloserAtClosed(channel, messages: 0);

        // The one writer row is the dead closer's, still owed an outcome; tools show it as a dead writer closing.
        ParticipantSnapshot row = ChannelInspector.Snapshot(channel.Name, channel.Directory).Participants.Single(p => p.Role == "writer");
        Assert.Equal(("closing", false, pid), (row.State, row.IsAlive, row.Pid));

        // The reader never waits, so it records nothing. A writer that needs the row must not just take it (clearing
        // its closing mode would leave no closer to name, and the bit would read as a peer's) nor be refused for as
        // long as no reader waits: it records the fault in the dead closer's stead, then takes the spent row.
        using SharedChannelWriter next = SharedChannel.OpenWriter(channel.Name, channel.Options());
        Assert.False(next.TryWrite(1L));
        Assert.Equal("faulted", ChannelInspector.Snapshot(channel.Name, channel.Directory).Completion);
        var end = Assert.Throws<ChannelClosedException>(() => reader.WaitToRead(Bound));
        Assert.Contains($"(pid {pid}) died while completing it", end.Message);
    }

    [Fact]
    public async Task Completion_alone_ends_for_a_closer_that_died_with_nothing_reading()
    {
        using var channel = new TestChannel("unrecorded");
        using SharedChannelReader reader = ClosedClaimCounterTests.CreateMpscReader(channel);
        int pid = await KillCloserAtClosed(channel, messages: 0);

        // No read and no wait: only the completion watch (on the futex waiter thread) can find the dead closer.
        var faulted = await Assert.ThrowsAsync<ChannelClosedException>(() => BoundedWork.Within(reader.Completion, Bound, "Completion"));
        Assert.Contains($"(pid {pid}) died while completing it", faulted.Message);
    }

    [Fact]
    public async Task A_second_completion_of_the_same_writer_racing_the_first_neither_faults_the_channel_nor_wins()
    {
        using var channel = new TestChannel("unrecorded");
        using SharedChannelReader reader = ClosedClaimCounterTests.CreateMpscReader(channel);
        using SharedChannelWriter closer = SharedChannel.OpenWriter(channel.Name, channel.Options());
        Task<bool>? second = null;
        Exception? heldWait = null;
        using (ProtocolPoint.OnThisThread(name =>
        {
            if (name != ProtocolPoint.MpscClosed)
            {
                return;
            }

            // The first completion is between its CAS and its Completion. A second one of the same writer on another
            // thread must not withdraw the first's announcement (it waits for the first, then finds the channel
            // completed): given the time to do so, then a reader's quiet slices, the channel must still be open.
            second = Task.Factory.StartNew(() => closer.TryComplete(), TaskCreationOptions.LongRunning);
            second.Wait(TimeSpan.FromMilliseconds(300));
            heldWait = Record.Exception(() => reader.WaitToRead(TimeSpan.FromMilliseconds(600)));
        }))
        {
            closer.Complete();
        }

        Assert.IsType<TimeoutException>(heldWait); // waited on: not faulted under the live closer
        Assert.False(await BoundedWork.Within(second!, Bound, "the second completion"), "the second completion won");
        Assert.False(reader.WaitToRead(Bound)); // completed cleanly, by the first
    }

    /// <summary>Starts a writer child that writes <paramref name="messages"/> messages and is SIGKILLed at mpsc.closed; returns its pid.</summary>
    private static async Task<int> KillCloserAtClosed(TestChannel channel, int messages)
    {
        using ChildProcess closer = ChildProcess.StartWith(
            new Dictionary<string, string> { ["NEOBUFFER_KILL_AT"] = ProtocolPoint.MpscClosed },
            "complete-with-error", channel.Directory, channel.Name, "never recorded", messages.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(ChildProcess.SigKillExitCode, await closer.ExitCodeAsync(Bound));
        return closer.Id;
    }

    private static async Task ReadAllAsync(SharedChannelReader reader, List<long> into, System.Threading.CancellationToken cancellationToken = default)
    {
        await foreach (ReadOnlyMemory<byte> message in reader.ReadAllAsync(cancellationToken))
        {
            into.Add(BitConverter.ToInt64(message.Span));
        }
    }

    /// <summary>The MPSC reader and one writer in this process, disposed by <paramref name="work"/> once its work has ended.</summary>
    private static (SharedChannelReader Reader, SharedChannelWriter Writer) OpenBoth(TestChannel channel, BoundedWork work) =>
        (work.Uses(ClosedClaimCounterTests.CreateMpscReader(channel)), work.Uses(SharedChannel.OpenWriter(channel.Name, channel.Options())));
}
