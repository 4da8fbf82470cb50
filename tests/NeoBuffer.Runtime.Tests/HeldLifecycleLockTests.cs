using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// A process that takes a segment's lifecycle lock (byte 2) and keeps it, as any process that can open the file can: a
/// hostile peer, or one stopped by SIGSTOP or a debugger. Nothing waits for it without a bound: creating, opening,
/// listing and sweeping the other channels of the directory go on as if it were not there; opening that channel fails
/// with an error that says what holds it; an endpoint of it still detaches; and once the holder is gone the next sweep
/// removes what was left.
/// </summary>
public sealed class HeldLifecycleLockTests
{
    // The lock is waited for SharedSegment.LifecyclePatience (1 s) at most by each call below; the rest is slack for a loaded machine.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_lock_held_on_another_file_of_the_directory_holds_up_no_create_open_list_or_sweep()
    {
        using var channel = new TestChannel("lock-other");
        using ChildProcess holder = ChildProcess.Start("hold-lifecycle-lock", Path.Combine(channel.Directory, "neobuffer.trap"));
        Assert.Equal("holding", await holder.FirstLineAsync(Bound));

        // Every create and open sweeps the directory, which used to wait on the trap's lock for as long as it was held.
        Task<string[]> work = Task.Factory.StartNew(() =>
        {
            using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options());
            using SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, channel.Options());
            writer.TryWrite(7);
            Assert.True(reader.TryRead(out int seven));
            Assert.Equal(7, seven);
            SharedChannel.RemoveStale(channel.Directory);
            return SharedChannel.List(channel.Directory).Select(c => c.Name).ToArray();
        }, TaskCreationOptions.LongRunning);

        try
        {
            string[] listed = await BoundedWork.Within(work, Bound, "creating, opening, listing and sweeping beside a held lock");
            Assert.Equal([channel.Name], listed); // the trap is not a channel, and is left out
        }
        finally
        {
            holder.Kill(); // lets a call stuck on the lock go on, so a failing run fails alone
        }

        Assert.True(File.Exists(Path.Combine(channel.Directory, "neobuffer.trap"))); // not a channel: never the sweep's to remove
        Assert.False(File.Exists(channel.SegmentPath));
    }

    [Fact]
    public async Task A_channel_whose_lock_is_held_fails_to_open_clearly_its_endpoint_still_detaches_and_a_sweep_cleans_up_after()
    {
        using var channel = new TestChannel("lock-own");
        SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options());
        ChildProcess holder = ChildProcess.Start("hold-lifecycle-lock", channel.SegmentPath);
        try
        {
            Assert.Equal("holding", await holder.FirstLineAsync(Bound));
            Task<Exception?> open = Task.Factory.StartNew(() =>
            {
                try
                {
                    using SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, channel.Options());
                    return null;
                }
                catch (Exception error)
                {
                    return error;
                }
            }, TaskCreationOptions.LongRunning);
            Exception? refused = await BoundedWork.Within(open, Bound, "opening a channel whose lifecycle lock another process keeps");
            Assert.NotNull(refused);
            Assert.IsType<SharedChannelException>(refused);
            Assert.Contains($"Cannot attach to channel '{channel.Name}'", refused.Message);
            Assert.Contains(channel.SegmentPath, refused.Message);

            await BoundedWork.Within(Task.Factory.StartNew(writer.Dispose, TaskCreationOptions.LongRunning), Bound, "disposing the writer");
            Assert.True(File.Exists(channel.SegmentPath)); // it could not tell whether it was the last one out
        }
        finally
        {
            holder.Kill();
            holder.Dispose();
            writer.Dispose();
        }

        Assert.Equal(1, SharedChannel.RemoveStale(channel.Directory)); // nobody attached: the next sweep removes it
        Assert.False(File.Exists(channel.SegmentPath));
    }
}
