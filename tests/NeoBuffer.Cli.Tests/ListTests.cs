using System;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using NeoBuffer.TestHost.Messages;

namespace NeoBuffer.Cli.Tests;

/// <summary><c>neobuffer ls</c> over a directory with a live channel of each topology and one whose writer was killed.</summary>
public sealed class ListTests
{
    [Fact]
    public async Task Ls_lists_every_topology_with_its_participants_and_marks_a_killed_writers_channel_stale()
    {
        using HeldChannel spsc = await HeldChannel.StartAsync("spsc", count: 3);
        using HeldChannel mpsc = await HeldChannel.StartAsync("mpsc", count: 3, neighbour: spsc.Channel);
        using HeldChannel broadcast = await HeldChannel.StartAsync("broadcast", count: 3, neighbour: spsc.Channel);
        using HeldChannel killed = await HeldChannel.StartAsync("spsc", count: 3, neighbour: spsc.Channel);
        using var subscriber = SharedChannel.OpenReader<VideoFrame>(broadcast.Name, new SharedChannelOptions { Directory = spsc.Directory, SubscriberMode = SubscriberMode.Lossy });
        await killed.KillWriterAsync();

        Neobuffer json = await Neobuffer.RunAsync("ls", "--dir", spsc.Directory, "--json");

        Assert.True(json.ExitCode == 0, json.ToString());
        using JsonDocument list = JsonDocument.Parse(json.Output);
        Assert.Equal(4, list.RootElement.GetArrayLength());
        JsonElement Channel(string name) => list.RootElement.EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);
        foreach ((HeldChannel held, string topology) in new[] { (spsc, "spsc"), (mpsc, "mpsc"), (broadcast, "broadcast") })
        {
            JsonElement channel = Channel(held.Name);
            Assert.Equal(topology, channel.GetProperty("topology").GetString());
            Assert.Equal("NeoBuffer.Tests.VideoFrame", channel.GetProperty("schema").GetString());
            Assert.Equal(VideoFrame.Layout.Fingerprint.ToString("x16"), channel.GetProperty("fingerprint").GetString());
            Assert.Equal(1 << 20, channel.GetProperty("capacity").GetInt64());
            Assert.False(channel.GetProperty("stale").GetBoolean());
            JsonElement writer = channel.GetProperty("participants").EnumerateArray().Single(p => p.GetProperty("role").GetString() == "writer");
            Assert.Equal(held.Writer.Id, writer.GetProperty("pid").GetInt32());
            Assert.True(writer.GetProperty("alive").GetBoolean());
            Assert.Equal(3, writer.GetProperty("messages").GetInt64()); // the writer's own counter, read from its row
        }

        JsonElement lossy = Channel(broadcast.Name).GetProperty("participants").EnumerateArray().Single(p => p.GetProperty("role").GetString() == "subscriber");
        Assert.Equal(Environment.ProcessId, lossy.GetProperty("pid").GetInt32());
        Assert.Equal("lossy", lossy.GetProperty("mode").GetString());

        JsonElement dead = Channel(killed.Name);
        Assert.True(dead.GetProperty("stale").GetBoolean());
        Assert.False(dead.GetProperty("participants")[0].GetProperty("alive").GetBoolean());

        Neobuffer table = await Neobuffer.RunAsync("ls", "--dir", spsc.Directory);
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Equal(5, table.Lines.Count); // the heading and one line per channel
        string killedLine = table.Lines.Single(l => l.Contains(killed.Name));
        Assert.Contains($"writer {killed.Writer.Id} dead", killedLine);
        Assert.Contains("stale", killedLine);
        Assert.Contains($"writer {broadcast.Writer.Id} alive, subscriber {Environment.ProcessId} alive lossy", table.Lines.Single(l => l.Contains(broadcast.Name)));
        Assert.False(table.Output.Contains('\u001b'), table.Output); // plain when not a terminal (ordinal: a culture-aware search ignores ESC)
    }
}
