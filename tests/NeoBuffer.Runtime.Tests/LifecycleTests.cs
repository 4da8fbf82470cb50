using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>Segment lifecycle: listing, stale sweeps after crashes, removal by the last live participant, a full tmpfs.</summary>
public sealed class LifecycleTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public void List_describes_each_channel_and_who_is_attached()
    {
        using var channel = new TestChannel("list");
        SharedChannelOptions options = channel.Options(capacity: 1 << 16);
        options.Topology = ChannelTopology.Broadcast;
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, options);
        SharedChannelOptions lossy = channel.Options();
        lossy.SubscriberMode = SubscriberMode.Lossy;
        using SharedChannelReader subscriber = SharedChannel.OpenReader(channel.Name, lossy);
        writer.TryWrite(42);

        ChannelInfo info = Assert.Single(SharedChannel.List(channel.Directory), c => c.Name == channel.Name);
        Assert.Equal((ChannelTopology.Broadcast, 1L << 16, ChannelCompletionState.Open, true, false), (info.Topology, info.Capacity, info.Completion, info.IsAttached, info.IsStale));
        Assert.Contains(info.Participants, p => p is { Role: ChannelRole.Writer, IsAlive: true } && p.Pid == Environment.ProcessId);
        Assert.Contains(info.Participants, p => p is { Role: ChannelRole.Subscriber, IsAlive: true, Mode: SubscriberMode.Lossy });
        Assert.True(info.Tail > 0);
    }

    [Fact]
    public async Task A_segment_whose_participants_were_all_killed_is_swept_by_the_next_create()
    {
        using var channel = new TestChannel("stale");
        using (ChildProcess owner = ChildProcess.Start("create-and-hang", channel.Directory, channel.Name))
        {
            Assert.Equal("created", await owner.FirstLineAsync(Bound));
            Assert.Contains(SharedChannel.List(channel.Directory), c => c.Name == channel.Name && c.IsAttached);
            owner.Kill();
            await owner.ExitCodeAsync(Bound);
        }

        Assert.True(File.Exists(channel.SegmentPath)); // a SIGKILLed process removes nothing itself
        Assert.Contains(SharedChannel.List(channel.Directory), c => c.Name == channel.Name && c.IsStale);

        // Creating any channel in the directory sweeps it; the same name can then be created afresh.
        using var other = new TestChannel("stale", neighbour: channel);
        using (SharedChannel.CreateWriter(other.Name, channel.Options()))
        {
            Assert.False(File.Exists(channel.SegmentPath));
        }

        using SharedChannelWriter again = SharedChannel.CreateWriter(channel.Name, channel.Options());
    }

    [Fact]
    public async Task The_last_live_participant_removes_the_segment_even_after_a_peer_crashed()
    {
        using var channel = new TestChannel("last");
        SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options());
        using (ChildProcess reader = ChildProcess.Start("read-and-hang", channel.Directory, channel.Name, "1"))
        {
            Assert.Equal("ready", await reader.FirstLineAsync(Bound));
            reader.Kill();
            await reader.ExitCodeAsync(Bound);
        }

        writer.Dispose();
        Assert.False(File.Exists(channel.SegmentPath));
    }

    [Fact]
    public void KeepSegment_survives_a_sweep()
    {
        using var channel = new TestChannel("keep");
        SharedChannelOptions options = channel.Options();
        options.KeepSegment = true;
        SharedChannel.CreateWriter(channel.Name, options).Dispose();
        Assert.Equal(0, SharedChannel.RemoveStale(channel.Directory));
        Assert.True(File.Exists(channel.SegmentPath));
    }

    [Fact]
    public void A_tmpfs_too_small_for_the_ring_fails_at_create_and_leaves_nothing_behind()
    {
        string mount = Path.Combine(Path.GetTempPath(), "neobuffer-small-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(mount);
        Assert.True(Run("mount", $"-t tmpfs -o size=256k tmpfs {mount}") == 0, "this test mounts a 256 KiB tmpfs and needs root (CI runs as root)");
        try
        {
            var options = new SharedChannelOptions { Directory = mount, Capacity = 1 << 20 };
            var error = Assert.Throws<SharedChannelException>(() => SharedChannel.CreateWriter("too-big", options));
            Assert.Contains("not enough space", error.Message);
            Assert.Empty(Directory.GetFiles(mount));
            using SharedChannelWriter fits = SharedChannel.CreateWriter("fits", new SharedChannelOptions { Directory = mount, Capacity = 64 << 10 });
        }
        finally
        {
            Run("umount", mount);
            Directory.Delete(mount);
        }
    }

    private static int Run(string file, string arguments)
    {
        using Process process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true })!;
        if (!process.WaitForExit(Bound))
        {
            process.Kill();
            throw new TimeoutException($"'{file} {arguments}' did not exit within {Bound.TotalSeconds} s.");
        }

        return process.ExitCode;
    }
}
