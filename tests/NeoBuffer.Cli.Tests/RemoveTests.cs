using System.IO;
using System.Threading.Tasks;

namespace NeoBuffer.Cli.Tests;

/// <summary><c>neobuffer rm</c> and <c>gc</c>: the only verbs that change anything, and only what they are asked to.</summary>
public sealed class RemoveTests
{
    [Fact]
    public async Task Rm_is_refused_while_a_live_process_is_attached_and_forced_removes_it()
    {
        using HeldChannel held = await HeldChannel.StartAsync("mpsc", count: 1);
        string path = held.Channel.SegmentPath;

        Neobuffer refused = await Neobuffer.RunAsync("rm", held.Name, "--dir", held.Directory);
        Assert.True(refused.ExitCode == 1, refused.ToString());
        Assert.Contains("live processes attached", refused.Error);
        Assert.True(File.Exists(path));

        Neobuffer forced = await Neobuffer.RunAsync("rm", held.Name, "--dir", held.Directory, "--force");
        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.False(File.Exists(path));

        Neobuffer again = await Neobuffer.RunAsync("rm", held.Name, "--dir", held.Directory);
        Assert.True(again.ExitCode == 1, again.ToString());
        Assert.Contains("No channel named", again.Error);
    }

    [Fact]
    public async Task Gc_dry_run_lists_the_stale_channel_and_gc_removes_only_it()
    {
        using HeldChannel live = await HeldChannel.StartAsync("spsc", count: 1);
        using HeldChannel dead = await HeldChannel.StartAsync("broadcast", count: 1, neighbour: live.Channel);
        await dead.KillWriterAsync();

        Neobuffer dryRun = await Neobuffer.RunAsync("gc", "--dir", live.Directory, "--dry-run");
        Assert.True(dryRun.ExitCode == 0, dryRun.ToString());
        Assert.Equal([$"would remove {dead.Name} (broadcast, 1 dead participants)", "1 stale"], dryRun.Lines);
        Assert.True(File.Exists(dead.Channel.SegmentPath));

        Neobuffer gc = await Neobuffer.RunAsync("gc", "--dir", live.Directory);
        Assert.True(gc.ExitCode == 0, gc.ToString());
        Assert.Equal([$"removed {dead.Name}", "1 removed"], gc.Lines);
        Assert.False(File.Exists(dead.Channel.SegmentPath));
        Assert.True(File.Exists(live.Channel.SegmentPath));
    }
}
