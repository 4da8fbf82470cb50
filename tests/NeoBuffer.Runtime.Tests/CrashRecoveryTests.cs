using System;
using System.Threading.Channels;
using System.Threading.Tasks;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// Participants killed with SIGKILL at chosen points: the survivors learn it from the kernel (the dead process's row
/// lock is gone) and go on, fail clearly, or see the channel faulted, as docs/format.md ("Liveness") says.
/// </summary>
public sealed class CrashRecoveryTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_killed_spsc_writer_faults_the_channel_after_what_it_committed()
    {
        using var channel = new TestChannel("crash");
        using var work = new BoundedWork();
        SharedChannelReader reader = work.Uses(SharedChannel.CreateReader(channel.Name, channel.Options(capacity: 1 << 16, maxMessageSize: 256)));
        using ChildProcess producer = ChildProcess.Start("spsc-produce", channel.Directory, channel.Name, "100000000", "256", "1000", "500");
        long expected = 0;
        var deadline = Deadline.In(Bound, "reading the first 5000 records");
        while (expected < 5000)
        {
            // The producer never completes: a wait that reports the end of the stream here is a failure, not a reason to spin.
            Assert.True(reader.WaitToRead(deadline.Remaining), "the channel reported its end while its writer was still producing");
            while (reader.TryLease(out ReadLease lease))
            {
                using (lease)
                {
                    Assert.Null(SequencedRecord.Verify(lease.Payload, expected, 256));
                }

                expected++;
            }
        }

        producer.Kill();
        Task drain = work.Start(() =>
        {
            var drainDeadline = Deadline.In(Bound, "reading what the killed writer committed");
            while (reader.WaitToRead(drainDeadline.Remaining))
            {
                while (reader.TryLease(out ReadLease lease))
                {
                    using (lease)
                    {
                        Assert.Null(SequencedRecord.Verify(lease.Payload, expected, 256)); // everything committed still arrives
                    }

                    expected++;
                }
            }
        });
        var error = await Assert.ThrowsAsync<ChannelClosedException>(() => BoundedWork.Within(drain, 2 * Bound, "the reader of the killed writer's channel"));
        Assert.Contains("died", error.Message);
        Assert.Contains(producer.Id.ToString(), error.Message);
    }

    [Fact]
    public async Task A_killed_reader_makes_a_waiting_writer_fail_instead_of_hanging()
    {
        using var channel = new TestChannel("crash");
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options(capacity: 4096, maxMessageSize: 1000));
        using ChildProcess reader = ChildProcess.Start("read-and-hang", channel.Directory, channel.Name, "3");
        Assert.Equal("ready", await reader.FirstLineAsync(Bound));
        for (int i = 0; i < 3; i++)
        {
            writer.Write(new byte[1000], Bound);
        }

        await reader.WaitForLineAsync("read", Bound); // it has read its 3 and will read no more
        RingFill.UntilRefused(writer, new byte[1000]);

        reader.Kill();
        await reader.ExitCodeAsync(Bound);
        var error = Assert.Throws<ChannelClosedException>(() => writer.Write(new byte[1000], Bound));
        Assert.Contains("reader", error.Message);
        Assert.Contains("died", error.Message);
    }

    [Fact]
    public async Task A_killed_writer_ends_parked_async_waits_with_the_fault()
    {
        // The futex waiter thread checks the peers of a parked async wait itself; the wait must still end.
        using var channel = new TestChannel("crash");
        using ChildProcess owner = ChildProcess.Start("create-and-hang", channel.Directory, channel.Name);
        Assert.Equal("created", await owner.FirstLineAsync(Bound));
        using SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, channel.Options());
        Assert.True(reader.TryRead(out int first));
        ValueTask<bool> wait = reader.WaitToReadAsync(Bound);
        ValueTask<int> selection = SharedChannel.WaitAnyAsync([reader], Bound);
        Assert.False(wait.IsCompleted || selection.IsCompleted);

        owner.Kill();
        var error = await Assert.ThrowsAsync<ChannelClosedException>(async () => await wait);
        Assert.Contains("died", error.Message);
        Assert.Equal(0, await selection); // the reader is ready: to report the end of its stream
        Assert.Equal(1, first);
    }

    [Fact]
    public async Task A_killed_reader_ends_a_parked_WriteAsync_with_an_error()
    {
        using var channel = new TestChannel("crash");
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options(capacity: 4096, maxMessageSize: 1000));
        using ChildProcess reader = ChildProcess.Start("read-and-hang", channel.Directory, channel.Name, "0");
        Assert.Equal("ready", await reader.FirstLineAsync(Bound));
        RingFill.UntilRefused(writer, new byte[1000]);

        ValueTask write = writer.WriteAsync(new byte[1000], Bound);
        Assert.False(write.IsCompleted);
        reader.Kill();
        var error = await Assert.ThrowsAsync<ChannelClosedException>(async () => await write);
        Assert.Contains("died", error.Message);
    }

    [Theory]
    [InlineData(ChannelTopology.SingleProducerSingleConsumer)]
    [InlineData(ChannelTopology.MultiProducerSingleConsumer)]
    public void A_reader_that_left_makes_a_writer_waiting_for_room_fail_but_one_that_never_came_is_waited_for(ChannelTopology topology)
    {
        using var channel = new TestChannel("left");
        SharedChannelOptions options = channel.Options(capacity: 4096, maxMessageSize: 1000);
        options.Topology = topology;
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, options);
        RingFill.UntilRefused(writer, new byte[1000]);

        // No reader yet: the writer waits (here until its timeout) for the first one to come.
        Assert.Throws<TimeoutException>(() => writer.Write(new byte[1000], TimeSpan.FromMilliseconds(300)));

        using (SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, channel.Options()))
        {
            Assert.True(reader.TryLease(out ReadLease lease));
            lease.Dispose();
        }

        RingFill.UntilRefused(writer, new byte[1000]);

        var error = Assert.Throws<ChannelClosedException>(() => writer.Write(new byte[1000], Bound));
        Assert.Contains("left", error.Message);
        Assert.Contains(Environment.ProcessId.ToString(), error.Message);
    }

    [Fact]
    public async Task A_killed_reader_can_be_replaced_and_the_new_one_resumes()
    {
        using var channel = new TestChannel("crash");
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options(capacity: 4096));
        using (ChildProcess first = ChildProcess.Start("read-and-hang", channel.Directory, channel.Name, "2"))
        {
            Assert.Equal("ready", await first.FirstLineAsync(Bound));
            for (int i = 0; i < 5; i++)
            {
                writer.Write(BitConverter.GetBytes(i), Bound);
            }

            await first.WaitForLineAsync("read", Bound);
            first.Kill();
            await first.ExitCodeAsync(Bound);
        }

        // The dead reader's row is taken over (its lock is gone); reading resumes after what it had released.
        using SharedChannelReader second = SharedChannel.OpenReader(channel.Name, channel.Options());
        for (int expected = 2; expected < 5; expected++)
        {
            Assert.True(second.TryRead(out int value));
            Assert.Equal(expected, value);
        }

        Assert.False(second.TryRead(out int _));
    }

    [Fact]
    public async Task Mpsc_a_writer_killed_between_claim_and_commit_becomes_padding_and_the_others_go_on()
    {
        using var channel = new TestChannel("crash");
        SharedChannelOptions options = channel.Options(capacity: 1 << 16, maxMessageSize: 256);
        options.Topology = ChannelTopology.MultiProducerSingleConsumer;
        options.SpinCount = 0;
        using SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, options);
        using ChildProcess hanging = ChildProcess.Start("claim-and-hang", channel.Directory, channel.Name, "100");
        Assert.Equal("claimed", await hanging.FirstLineAsync(Bound));
        using ChildProcess healthy = ChildProcess.Start("mpsc-produce", channel.Directory, channel.Name, "1", "2000", "256");

        Assert.Throws<TimeoutException>(() => reader.WaitToRead(TimeSpan.FromMilliseconds(300))); // held up by the open claim
        hanging.Kill();
        long next = 0;
        var deadline = Deadline.In(3 * Bound, "reading the healthy writer's 2000 records");
        while (next < 2000)
        {
            Assert.True(reader.WaitToRead(deadline.Remaining));
            while (reader.TryLease(out ReadLease lease))
            {
                using (lease)
                {
                    long key = System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(lease.Payload);
                    Assert.Equal(ProducerKey.Of(1, next), key);
                    Assert.Null(SequencedRecord.Verify(lease.Payload, key, 256));
                }

                next++;
            }
        }

        Assert.Equal(0, await healthy.ExitCodeAsync(Bound));

        // The dead writer's row is free again for a restarted one.
        using ChildProcess restarted = ChildProcess.Start("mpsc-produce", channel.Directory, channel.Name, "2", "10", "256");
        Assert.Equal(0, await restarted.ExitCodeAsync(Bound));
    }

    [Fact]
    public async Task Broadcast_a_killed_tethered_subscriber_stops_holding_the_producer_back()
    {
        using var channel = new TestChannel("crash");
        SharedChannelOptions options = channel.Options(capacity: 4096, maxMessageSize: 1000);
        options.Topology = ChannelTopology.Broadcast;
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, options);
        using SharedChannelReader healthy = SharedChannel.OpenReader(channel.Name, channel.Options());
        using ChildProcess stuck = ChildProcess.Start("read-and-hang", channel.Directory, channel.Name, "1");
        Assert.Equal("ready", await stuck.FirstLineAsync(Bound));
        writer.Write(new byte[1000], Bound);
        await stuck.WaitForLineAsync("read", Bound);

        stuck.Kill();
        for (int i = 0; i < 50; i++)
        {
            writer.Write(new byte[1000], Bound); // would time out if the dead subscriber still held the ring
            Assert.True(healthy.TryLease(out ReadLease lease));
            lease.Dispose();
        }
    }
}
