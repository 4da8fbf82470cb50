using System;
using System.Threading;
using NeoBuffer.Format;
using NeoBuffer.Ring;
using NeoBuffer.Segments;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// Two threads of one endpoint (the reading thread's peer check and the completion watch on the futex waiter thread)
/// share one open file description, so the row lock does not keep them apart: the second one's lock and unlock must not
/// drop the lock the first one still relies on while it frees the dead writer's row (docs/format.md, "Liveness").
/// </summary>
public sealed unsafe class SameEndpointFreeTests
{
    [Fact]
    public void A_second_thread_of_the_endpoint_freeing_the_same_dead_row_leaves_a_new_writers_row_alone()
    {
        using var channel = new TestChannel("same-fd");
        SharedChannelOptions options = channel.Options(capacity: 4096, maxMessageSize: 256);
        using SharedSegment dying = SharedSegment.Create(channel.Name, options, schema: null);
        using SharedSegment reader = SharedSegment.Open(channel.Name, options, schema: null);
        using SharedSegment restarted = SharedSegment.Open(channel.Name, options, schema: null);
        ParticipantRole.Acquire(dying, 0, ParticipantRow.KindProducer, "writer");
        dying.UnlockRow(0); // what the kernel does when the writer is SIGKILLed: its row still says active

        // The reading thread is about to free the row; the watch runs the same check on the same descriptor (here
        // synchronously, on this thread), then a restarted writer (its own descriptor) tries the row.
        bool took = false;
        bool inside = false;
        using (ProtocolPoint.OnThisThread(name =>
        {
            if (name == ProtocolPoint.DeadRowFreeing && !inside)
            {
                inside = true;
                PeerLiveness.FaultIfWriterDead(reader, 0);
                try
                {
                    ParticipantRole.Acquire(restarted, 0, ParticipantRow.KindProducer, "writer");
                    took = true;
                }
                catch (ChannelRoleTakenException)
                {
                    // The row is still being freed: the restarted writer is refused, as it should be.
                }
            }
        }))
        {
            PeerLiveness.FaultIfWriterDead(reader, 0);
        }

        Assert.True(inside, "the dead row was never freed");
        Assert.True(new ChannelCompletion(reader.Header).IsFaulted);
        if (took)
        {
            Assert.Equal(ParticipantRow.StateActive, Volatile.Read(ref reader.Row(0)->State));
        }
        else
        {
            Assert.Equal(ParticipantRow.StateFree, Volatile.Read(ref reader.Row(0)->State));
            ParticipantRole.Acquire(restarted, 0, ParticipantRow.KindProducer, "writer");
            Assert.Equal(ParticipantRow.StateActive, Volatile.Read(ref reader.Row(0)->State));
        }
    }
}
