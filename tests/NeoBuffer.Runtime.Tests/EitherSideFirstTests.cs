using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// Either side may start first: the README's first example run as two real processes in the order it is written (A
/// exits before B starts) and in the other order, open-or-create from both sides, and opens that wait for the create.
/// </summary>
public sealed class EitherSideFirstTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task The_README_example_works_with_process_A_run_to_its_end_before_process_B()
    {
        using var channel = new TestChannel("readme");
        var environment = new Dictionary<string, string> { ["NEOBUFFER_DIR"] = channel.Directory };
        using (ChildProcess a = ChildProcess.StartWith(environment, "readme-a", channel.Name))
        {
            Assert.True(await a.ExitCodeAsync(Generous) == 0, a.Output);
        }

        Assert.True(File.Exists(channel.SegmentPath), "process A's exit removed the channel and its unread messages");
        using (ChildProcess b = ChildProcess.StartWith(environment, "readme-b", channel.Name))
        {
            Assert.True(await b.ExitCodeAsync(Generous) == 0, b.Output);
            Assert.Equal(["ready", "16", "5"], Lines(b.Output));
        }

        Assert.False(File.Exists(channel.SegmentPath), "B drained the channel and left last: it should have removed it");
    }

    [Fact]
    public async Task The_README_example_works_with_process_B_started_first()
    {
        using var channel = new TestChannel("readmeb");
        var environment = new Dictionary<string, string> { ["NEOBUFFER_DIR"] = channel.Directory };
        using ChildProcess b = ChildProcess.StartWith(environment, "readme-b", channel.Name);
        Assert.Equal("ready", await b.FirstLineAsync(Generous)); // B is waiting for the channel (or about to)
        using (ChildProcess a = ChildProcess.StartWith(environment, "readme-a", channel.Name))
        {
            Assert.True(await a.ExitCodeAsync(Generous) == 0, a.Output);
        }

        Assert.True(await b.ExitCodeAsync(Generous) == 0, b.Output);
        Assert.Equal(["ready", "16", "5"], Lines(b.Output));
    }

    [Fact]
    public void OpenOrCreate_creates_on_the_first_side_and_opens_on_the_second()
    {
        using var channel = new TestChannel("ooc");
        using (SharedChannelReader reader = SharedChannel.OpenOrCreateReader(channel.Name, channel.Options()))
        using (SharedChannelWriter writer = SharedChannel.OpenOrCreateWriter(channel.Name, channel.Options()))
        {
            Assert.True(writer.TryWrite("x"u8));
            Assert.True(reader.TryRead(out byte[]? message));
            Assert.Equal("x"u8.ToArray(), message);
        }

        using (SharedChannelWriter writer = SharedChannel.OpenOrCreateWriter(channel.Name, channel.Options()))
        using (SharedChannelReader reader = SharedChannel.OpenOrCreateReader(channel.Name, channel.Options()))
        {
            Assert.True(writer.TryWrite("y"u8));
            Assert.True(reader.TryRead(out byte[]? message));
            Assert.Equal("y"u8.ToArray(), message);
        }
    }

    [Fact]
    public async Task A_waiting_open_times_out_with_the_channel_name_and_is_cancellable()
    {
        using var channel = new TestChannel("nochan");
        var error = Assert.Throws<TimeoutException>(() => SharedChannel.OpenReader(channel.Name, channel.Options(), TimeSpan.FromMilliseconds(30)));
        Assert.Contains(channel.Name, error.Message);
        await Assert.ThrowsAsync<TimeoutException>(async () => await SharedChannel.OpenWriterAsync(channel.Name, channel.Options(), TimeSpan.FromMilliseconds(30)));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await SharedChannel.OpenReaderAsync(channel.Name, channel.Options(), Timeout.InfiniteTimeSpan, cancelled.Token));
    }

    [Fact]
    public async Task An_async_waiting_open_returns_once_another_side_creates_the_channel()
    {
        using var channel = new TestChannel("waitopen");
        ValueTask<SharedChannelReader> opening = SharedChannel.OpenReaderAsync(channel.Name, channel.Options(), Generous);
        Assert.False(opening.IsCompleted);
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options());
        using SharedChannelReader reader = await opening;
        Assert.True(writer.TryWrite("z"u8));
        Assert.True(reader.TryRead(out byte[]? message));
        Assert.Equal("z"u8.ToArray(), message);
    }

    [Fact]
    public void A_writer_that_leaves_with_nothing_unread_still_removes_the_channel()
    {
        using var channel = new TestChannel("noheld");
        using (SharedChannel.CreateWriter(channel.Name, channel.Options()))
        {
        }

        Assert.False(File.Exists(channel.SegmentPath));
    }

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
