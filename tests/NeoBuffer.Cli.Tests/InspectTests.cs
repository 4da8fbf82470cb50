using System;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using NeoBuffer.TestHost.Messages;

namespace NeoBuffer.Cli.Tests;

/// <summary><c>neobuffer inspect</c>: the header field by field, the schema, the participants with their counters.</summary>
public sealed class InspectTests
{
    [Fact]
    public async Task Inspect_decodes_the_header_the_schema_and_the_participants_counters()
    {
        using HeldChannel held = await HeldChannel.StartAsync("spsc", count: 5);
        using (var reader = SharedChannel.OpenReader<VideoFrame>(held.Name, new SharedChannelOptions { Directory = held.Directory }))
        {
            for (int i = 0; i < 2; i++)
            {
                Assert.True(reader.TryLease(out MessageLease<VideoFrame> lease));
                lease.Dispose();
            }

            Neobuffer json = await Neobuffer.RunAsync("inspect", held.Name, "--dir", held.Directory, "--json");

            Assert.True(json.ExitCode == 0, json.ToString());
            using JsonDocument channel = JsonDocument.Parse(json.Output);
            JsonElement root = channel.RootElement;
            Assert.Equal(1 << 20, root.GetProperty("capacity").GetInt64());
            Assert.Equal(VideoFrame.Layout.SchemaText, root.GetProperty("schemaText").GetString());
            Assert.Equal("open", root.GetProperty("completion").GetString());
            Assert.True(root.GetProperty("head").GetInt64() > 0);
            Assert.True(root.GetProperty("tail").GetInt64() > root.GetProperty("head").GetInt64());
            JsonElement[] rows = root.GetProperty("participants").EnumerateArray().ToArray();
            Assert.Equal(5, rows.Single(p => p.GetProperty("role").GetString() == "writer").GetProperty("messages").GetInt64());
            JsonElement readerRow = rows.Single(p => p.GetProperty("role").GetString() == "reader");
            Assert.Equal(Environment.ProcessId, readerRow.GetProperty("pid").GetInt32());
            Assert.Equal(2, readerRow.GetProperty("messages").GetInt64()); // this process's reader's counter, seen from another process

            Neobuffer text = await Neobuffer.RunAsync("inspect", held.Name, "--dir", held.Directory);
            Assert.True(text.ExitCode == 0, text.ToString());
            Assert.Contains(text.Lines, l => l.StartsWith("0x018") && l.Contains("Capacity") && l.Contains("1048576"));
            Assert.Contains(text.Lines, l => l.StartsWith("0x180") && l.Contains("Head"));
            Assert.Contains(text.Lines, l => l.Contains("schema NeoBuffer.Tests.VideoFrame"));
            Assert.Contains(text.Lines, l => l.StartsWith("CameraName") && l.Contains("VarUtf8"));
            Assert.Contains(text.Lines, l => l.Trim().StartsWith("Corners[].X") && l.Contains("float32"));
        }
    }

    [Fact]
    public async Task Inspect_shows_a_faulted_channels_error_text()
    {
        using HeldChannel held = await HeldChannel.StartAsync("broadcast", count: 1);
        // A subscriber keeps the channel attached, so the sweep of the next open does not remove it once its writer is dead.
        using var subscriber = SharedChannel.OpenReader<VideoFrame>(held.Name, new SharedChannelOptions { Directory = held.Directory, SubscriberMode = SubscriberMode.Lossy });
        await held.KillWriterAsync();
        using (var writer = SharedChannel.OpenWriter<VideoFrame>(held.Name, new SharedChannelOptions { Directory = held.Directory }))
        {
            writer.Complete(new InvalidOperationException("camera unplugged"));

            Neobuffer json = await Neobuffer.RunAsync("inspect", held.Name, "--dir", held.Directory, "--json");

            Assert.True(json.ExitCode == 0, json.ToString());
            using JsonDocument channel = JsonDocument.Parse(json.Output);
            Assert.Equal("faulted", channel.RootElement.GetProperty("completion").GetString());
            Assert.Contains("camera unplugged", channel.RootElement.GetProperty("completionError").GetString());
        }
    }
}
