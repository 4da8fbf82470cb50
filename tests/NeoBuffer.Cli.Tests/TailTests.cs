using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;

namespace NeoBuffer.Cli.Tests;

/// <summary><c>neobuffer tail</c> against channels of every topology held by real processes: decoded by the stored schema alone.</summary>
public sealed class TailTests
{
    [Theory]
    [InlineData("spsc")]
    [InlineData("mpsc")]
    [InlineData("broadcast")]
    public async Task Tail_json_prints_the_last_messages_as_they_were_written(string topology)
    {
        using HeldChannel held = await HeldChannel.StartAsync(topology, count: 12);

        Neobuffer tail = await Neobuffer.RunAsync("tail", held.Name, "--dir", held.Directory, "-n", "5", "--json");

        Assert.True(tail.ExitCode == 0, tail.ToString());
        Assert.Equal(5, tail.Lines.Count);
        long sequence = held.Count - 5;
        foreach (string line in tail.Lines)
        {
            using JsonDocument message = JsonDocument.Parse(line);
            Assert.Equal("NeoBuffer.Tests.VideoFrame", message.RootElement.GetProperty("message").GetString());
            if (topology == "broadcast")
            {
                Assert.Equal(sequence, message.RootElement.GetProperty("sequence").GetInt64()); // the ring's own record sequence
            }

            Assert.Null(HeldChannel.Verify(message.RootElement.GetProperty("fields"), sequence));
            sequence++;
        }
    }

    [Fact]
    public async Task Tail_text_shows_fields_enums_text_bytes_and_array_elements_on_one_line()
    {
        using HeldChannel held = await HeldChannel.StartAsync("spsc", count: 4);

        Neobuffer tail = await Neobuffer.RunAsync("tail", held.Name, "--dir", held.Directory, "-n", "1");

        Assert.True(tail.ExitCode == 0, tail.ToString());
        string line = Assert.Single(tail.Lines);
        Assert.StartsWith("Sequence=3 Width=643 Height=480 Format=NeoBuffer.TestHost.Messages.PixelFormat(1) KeyFrame=false Origin={X=3 Y=-3} ", line);
        Assert.Contains($"CameraName=\"{TestHost.Messages.FrameContent.CameraName(3)}\"", line);
        Assert.Contains("Pixels=<100 bytes 03", line); // sequence 3: a full 100 bytes, the first 3 + 31 i
        Assert.EndsWith("Corners=[{X=0 Y=3}, {X=1 Y=3}, {X=2 Y=3}]", line);
    }

    [Fact]
    public async Task Tail_still_reads_a_channel_whose_writer_was_killed()
    {
        using HeldChannel held = await HeldChannel.StartAsync("spsc", count: 6);
        await held.KillWriterAsync();

        Neobuffer tail = await Neobuffer.RunAsync("tail", held.Name, "--dir", held.Directory, "-n", "100", "--json");

        Assert.True(tail.ExitCode == 0, tail.ToString());
        Assert.Equal(6, tail.Lines.Count);
        for (int i = 0; i < 6; i++)
        {
            using JsonDocument message = JsonDocument.Parse(tail.Lines[i]);
            Assert.Null(HeldChannel.Verify(message.RootElement.GetProperty("fields"), i));
        }
    }

    [Fact]
    public async Task Tail_follow_prints_new_broadcast_messages_in_order_and_reports_what_it_missed()
    {
        using HeldChannel held = await HeldChannel.StartAsync("broadcast", count: 1, stream: true);

        Neobuffer tail = await Neobuffer.RunAsync("tail", held.Name, "--dir", held.Directory, "-n", "0", "--follow", "--count", "20", "--json");

        Assert.True(tail.ExitCode == 0, tail.ToString());
        long previous = -1;
        int messages = 0;
        foreach (string line in tail.Lines)
        {
            using JsonDocument item = JsonDocument.Parse(line);
            if (item.RootElement.TryGetProperty("skipped", out JsonElement skipped))
            {
                previous += skipped.GetProperty("messages").GetInt64(); // the next one follows what was missed
                continue;
            }

            long sequence = item.RootElement.GetProperty("sequence").GetInt64();
            Assert.True(previous < 0 || sequence == previous + 1, $"sequence {sequence} after {previous}:\n{tail}");
            Assert.Null(HeldChannel.Verify(item.RootElement.GetProperty("fields"), sequence));
            previous = sequence;
            messages++;
        }

        Assert.Equal(20, messages);
    }
}
