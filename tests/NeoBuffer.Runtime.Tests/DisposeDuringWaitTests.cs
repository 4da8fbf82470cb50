using System;
using System.Threading.Channels;
using System.Threading.Tasks;
using NeoBuffer.Ring;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// An endpoint disposed on another thread while one of its waits is inside its condition (which may write the ring:
/// MPSC zeroing, a padding skip, a dead peer's recovery) keeps its role until that wait has returned, as it does for an
/// open lease: no second reader or writer can attach and write the same ring meanwhile.
/// </summary>
public sealed class DisposeDuringWaitTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public void A_reader_disposed_while_its_blocking_wait_skips_padding_keeps_its_role_until_the_wait_returns()
    {
        using var channel = new TestChannel("dispose-wait");
        (SharedChannelReader reader, SharedChannelWriter writer) = MpscWithPaddingAtHead(channel);
        using (reader)
        using (writer)
        {
            bool? replacementRefused = null;
            using (ProtocolPoint.OnThisThread(name => DisposeAtZeroing(name, reader, channel, ref replacementRefused)))
            {
                Assert.Throws<ObjectDisposedException>(() => reader.WaitToRead(Bound));
            }

            AssertRoleHeldUntilTheWaitReturned(channel, replacementRefused);
        }
    }

    [Fact]
    public async Task A_reader_disposed_while_its_async_wait_skips_padding_keeps_its_role_until_the_wait_returns()
    {
        using var channel = new TestChannel("dispose-wait");
        (SharedChannelReader reader, SharedChannelWriter writer) = MpscWithPaddingAtHead(channel);
        using (reader)
        using (writer)
        {
            bool? replacementRefused = null;
            Task<bool> wait;
            using (ProtocolPoint.OnThisThread(name => DisposeAtZeroing(name, reader, channel, ref replacementRefused)))
            {
                wait = WaitAsyncCapturingThrow(reader);
            }

            await Assert.ThrowsAsync<ObjectDisposedException>(() => wait.WaitAsync(Bound));
            AssertRoleHeldUntilTheWaitReturned(channel, replacementRefused);
        }
    }

    [Fact]
    public void A_reader_disposed_while_a_selection_over_it_skips_padding_keeps_its_role_until_the_selection_returns()
    {
        using var channel = new TestChannel("dispose-wait");
        (SharedChannelReader reader, SharedChannelWriter writer) = MpscWithPaddingAtHead(channel);
        using (reader)
        using (writer)
        {
            bool? replacementRefused = null;
            using (ProtocolPoint.OnThisThread(name => DisposeAtZeroing(name, reader, channel, ref replacementRefused)))
            {
                Assert.Equal(0, SharedChannel.WaitAny([reader], Bound));
            }

            AssertRoleHeldUntilTheWaitReturned(channel, replacementRefused);
        }
    }

    [Fact]
    public async Task A_writer_disposed_while_its_wait_checks_a_dead_reader_keeps_its_role_until_the_wait_returns()
    {
        using var channel = new TestChannel("dispose-wait");
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options(capacity: 4096, maxMessageSize: 1000));
        using ChildProcess child = ChildProcess.Start("read-and-hang", channel.Directory, channel.Name, "0");
        Assert.Equal("ready", await child.FirstLineAsync(Bound));
        while (writer.TryWrite(new byte[1000]))
        {
        }

        child.Kill();
        await child.ExitCodeAsync(Bound);
        bool? replacementRefused = null;
        using (ProtocolPoint.OnThisThread(name =>
        {
            if (name == ProtocolPoint.DeadRowFound && replacementRefused is null)
            {
                // The wait's peer check found the dead reader's row and has not yet acted on it.
                Assert.True(Task.Run(writer.Dispose).Wait(Bound), "Dispose did not return");
                replacementRefused = IsRefused(() => SharedChannel.OpenWriter(channel.Name, channel.Options()));
            }
        }))
        {
            Assert.ThrowsAny<Exception>(() => writer.WaitToWrite(1000, Bound)); // the reader died (or the writer was disposed)
        }

        Assert.True(replacementRefused, "a second writer attached while the disposed writer's wait was still checking its peers");
        // Detached once the wait returned: the last live participant out, it removed the channel.
        Assert.False(System.IO.File.Exists(channel.SegmentPath), "the disposed writer never detached");
    }

    [Fact]
    public void A_selection_over_an_already_disposed_reader_throws_and_leaves_the_other_readers_free_to_detach()
    {
        using var first = new TestChannel("dispose-wait");
        using var second = new TestChannel("dispose-wait");
        using SharedChannelWriter firstWriter = SharedChannel.CreateWriter(first.Name, first.Options());
        using SharedChannelWriter secondWriter = SharedChannel.CreateWriter(second.Name, second.Options());
        SharedChannelReader open = SharedChannel.OpenReader(first.Name, first.Options());
        SharedChannelReader disposed = SharedChannel.OpenReader(second.Name, second.Options());
        disposed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => SharedChannel.WaitAny([open, disposed], Bound));

        // The selection counted itself on the first reader before it met the disposed one, and took that back: the
        // first reader detaches at once when disposed, so a new reader can attach.
        open.Dispose();
        using SharedChannelReader next = SharedChannel.OpenReader(first.Name, first.Options());
    }

    // A reader at a padding record (an aborted claim) followed by a committed 2: its wait's condition zeroes the padding.
    private static (SharedChannelReader Reader, SharedChannelWriter Writer) MpscWithPaddingAtHead(TestChannel channel)
    {
        SharedChannelOptions options = channel.Options();
        options.Topology = ChannelTopology.MultiProducerSingleConsumer;
        SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, options);
        SharedChannelWriter first = SharedChannel.OpenWriter(channel.Name, channel.Options());
        using SharedChannelWriter second = SharedChannel.OpenWriter(channel.Name, channel.Options());
        Assert.True(first.TryClaim(4, out WriteClaim abandoned));
        Assert.True(second.TryWrite(2));
        abandoned.Abort();
        return (reader, first);
    }

    private static void DisposeAtZeroing(string name, SharedChannelReader reader, TestChannel channel, ref bool? replacementRefused)
    {
        if (name != ProtocolPoint.MpscZeroing || replacementRefused is not null)
        {
            return;
        }

        // The wait's condition is zeroing the padding, Head not yet published: dispose the reader from another thread.
        Assert.True(Task.Run(reader.Dispose).Wait(Bound), "Dispose did not return");
        replacementRefused = IsRefused(() => SharedChannel.OpenReader(channel.Name, channel.Options()));
    }

    private static void AssertRoleHeldUntilTheWaitReturned(TestChannel channel, bool? replacementRefused)
    {
        Assert.True(replacementRefused, "a second reader attached while the disposed reader's wait was still writing the ring");
        using SharedChannelReader next = SharedChannel.OpenReader(channel.Name, channel.Options()); // released once the wait ended
        Assert.True(next.TryRead(out int value));
        Assert.Equal(2, value);
    }

    // The wait's synchronous part runs on this thread (where the hook is); a throw from it becomes the task's fault.
    private static Task<bool> WaitAsyncCapturingThrow(SharedChannelReader reader)
    {
        try
        {
            return reader.WaitToReadAsync(Bound).AsTask();
        }
        catch (Exception error)
        {
            return Task.FromException<bool>(error);
        }
    }

    private static bool IsRefused(Func<IDisposable> open)
    {
        try
        {
            open().Dispose();
            return false;
        }
        catch (ChannelRoleTakenException)
        {
            return true;
        }
    }
}
