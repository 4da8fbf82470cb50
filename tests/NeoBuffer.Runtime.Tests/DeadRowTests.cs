using System;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Format;
using NeoBuffer.Ring;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// "This row's holder is dead" and "free the row" are two steps: a new participant that takes the row between them
/// must keep it (docs/format.md, "Liveness"). Each test puts the newcomer in the row at the named point.
/// </summary>
public sealed class DeadRowTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Broadcast_a_subscriber_that_takes_a_dead_row_before_the_writer_frees_it_keeps_it_and_is_never_overrun()
    {
        using var channel = new TestChannel("deadrow");
        SharedChannelOptions options = channel.Options(capacity: 4096, maxMessageSize: 1000);
        options.Topology = ChannelTopology.Broadcast;
        options.MaxSubscribers = 1; // one row: the newcomer can only land in the dead subscriber's
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, options);
        using (ChildProcess dead = ChildProcess.Start("read-and-hang", channel.Directory, channel.Name, "1"))
        {
            Assert.Equal("ready", await dead.FirstLineAsync(Bound));
            writer.Write(Message(0), Bound);
            await dead.WaitForLineAsync("read", Bound);
            dead.Kill();
            await dead.ExitCodeAsync(Bound);
        }

        byte next = 1;
        while (writer.TryWrite(Message(next)))
        {
            next++; // until the dead tethered subscriber holds the writer back
        }

        // The blocked write's peer check finds the row dead; right then a new tethered subscriber takes that row.
        SharedChannelReader? fresh = null;
        using (ProtocolPoint.OnThisThread(name =>
        {
            if (name == ProtocolPoint.DeadRowFound && fresh == null)
            {
                fresh = SharedChannel.OpenReader(channel.Name, channel.Options());
            }
        }))
        {
            writer.Write(Message(next), Bound);
        }

        Assert.NotNull(fresh);
        using (fresh)
        {
            byte first = next++;
            int more = 0;
            while (more < 20 && writer.TryWrite(Message(next)))
            {
                next++;
                more++;
            }

            Assert.True(more < 20, "the writer ignored the new subscriber and overran it");
            for (byte expected = first; expected != next; expected++)
            {
                Assert.True(fresh.TryLease(out ReadLease lease));
                using (lease)
                {
                    Assert.Equal(1000, lease.Payload.Length);
                    Assert.True(lease.Payload.IndexOfAnyExcept(expected) < 0, $"message {expected} is torn");
                }
            }

            Assert.False(fresh.TryLease(out ReadLease _));
        }
    }

    [Fact]
    public void Mpsc_a_writer_that_takes_a_dead_row_while_the_reader_frees_it_keeps_it_and_its_own_crash_is_recovered()
    {
        using var rig = new MpscRig(maxProducers: 2);
        MpscRig.Writer dying = rig.AddWriter();
        dying.DieAt(ProtocolPoint.MpscFilling, 8); // [0, 16) claimed, header written, dead

        // The reader pads the dead claim, then frees the row once the claim is behind it: right then a restarted
        // writer looks for a row.
        MpscRig.Writer? restarted = null;
        using (ProtocolPoint.OnThisThread(name =>
        {
            if (name == ProtocolPoint.DeadRowFreeing && restarted == null)
            {
                restarted = rig.AddWriter();
            }
        }))
        {
            Assert.Null(rig.ReadRecovering(checks: 3));
        }

        Assert.NotNull(restarted);
        Assert.Equal(ParticipantRow.StateActive, rig.StateOf(restarted.Row));

        // The restarted writer dies mid-claim in its turn: its row must still prove it, so the reader goes on.
        MpscRig.Writer healthy = rig.AddWriter();
        restarted.DieAt(ProtocolPoint.MpscFilling, 8);
        healthy.Write(8, 0x31);
        byte[]? message = rig.ReadRecovering();
        Assert.NotNull(message);
        Assert.All(message, b => Assert.Equal(0x31, b));
    }

    [Fact]
    public async Task Mpsc_a_writer_refused_only_because_the_reader_is_freeing_the_last_row_waits_for_it()
    {
        using var rig = new MpscRig(maxProducers: 1);
        MpscRig.Writer dying = rig.AddWriter();
        dying.DieAt(ProtocolPoint.MpscFilling, 8);

        // Another thread opens a writer while the reader holds the one row to free it: it must wait for the row (not
        // fail at once with ChannelRoleTakenException), then get it once the reader lets go.
        Task<MpscRig.Writer>? opening = null;
        bool endedWhileHeld = false;
        using (ProtocolPoint.OnThisThread(name =>
        {
            if (name == ProtocolPoint.DeadRowFreeing && opening == null)
            {
                opening = Task.Factory.StartNew(rig.AddWriter, TaskCreationOptions.LongRunning); // its own thread: no pool delay
                endedWhileHeld = SpinWait.SpinUntil(() => opening.IsCompleted, TimeSpan.FromMilliseconds(300));
            }
        }))
        {
            Assert.Null(rig.ReadRecovering(checks: 3));
        }

        Assert.NotNull(opening);
        Assert.False(endedWhileHeld, opening.IsFaulted ? opening.Exception!.InnerException!.Message : "the writer got a row the reader held");
        MpscRig.Writer restarted = await opening.WaitAsync(Bound);
        Assert.Equal(dying.Row, restarted.Row);
        Assert.Equal(ParticipantRow.StateActive, rig.StateOf(restarted.Row));
        restarted.Write(8, 0x44);
        Assert.NotNull(rig.ReadRecovering(checks: 0));
    }

    private static byte[] Message(byte value)
    {
        byte[] message = new byte[1000];
        message.AsSpan().Fill(value);
        return message;
    }
}
