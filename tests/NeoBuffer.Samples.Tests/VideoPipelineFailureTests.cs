using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;

namespace NeoBuffer.Samples.Tests;

/// <summary>
/// samples/VideoPipeline when its peers fail: every process ends with one line on standard error and exit code 1 (the
/// channel failed) or 2 (bad command line), never a stack trace or a death by signal; no subscriber outlives the
/// pipeline, and no segment is left behind.
/// </summary>
public sealed class VideoPipelineFailureTests
{
    private const int SigKill = 9;
    private const int SigTerm = 15;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly string[] SmallFrames = ["--width", "64", "--height", "48"];

    [Fact]
    public async Task A_subscriber_whose_producer_is_killed_says_so_in_one_line_and_removes_the_segment()
    {
        using var segments = new SegmentDirectory();
        using SampleProcess pipeline = SampleProcess.Start("VideoPipeline", segments.Path,
            [.. SmallFrames, "--fps", "50", "--subscribers", "0", "--seconds", "120", "--channel", "video"]);
        await pipeline.WaitForLineAsync("producer: streaming", Timeout);
        using SampleProcess subscriber = SampleProcess.Start("VideoPipeline", segments.Path, "--role", "analyser-1", "--channel", "video");
        await subscriber.WaitForLineAsync("analyser-1 ", Timeout); // its first stats line: frames are flowing

        pipeline.Signal(SigKill);

        string error = await CleanFailure.AssertAsync(subscriber, expectedExitCode: 1, Timeout);
        Assert.Contains("died", error);
        Assert.Empty(segments.Files); // the subscriber was the last one attached
    }

    [Fact]
    public async Task Killing_the_pipeline_ends_every_subscriber_it_started_by_exit_never_by_a_signal()
    {
        Orphans.AdoptFromNowOn();
        using var segments = new SegmentDirectory();
        using SampleProcess pipeline = SampleProcess.Start("VideoPipeline", segments.Path, [.. SmallFrames, "--fps", "50", "--seconds", "120"]);
        await pipeline.WaitForLineAsync("recorder ", Timeout); // the recorder's first stats line: every subscriber is reading
        List<int> subscribers = Orphans.ChildrenOf(pipeline.Id);
        Assert.Equal(3, subscribers.Count);

        pipeline.Signal(SigKill);
        await pipeline.ExitCodeAsync(Timeout);

        string[] endings = await Task.WhenAll(subscribers.Select(pid => Orphans.WaitAsync(pid, Timeout)));
        Assert.All(endings, ending => Assert.Equal("exit 1", ending)); // each saw its producer die and said so
        Assert.Empty(segments.Files);
    }

    [Fact]
    public async Task A_pipeline_whose_subscriber_was_killed_names_it_in_one_line()
    {
        using var segments = new SegmentDirectory();
        using SampleProcess pipeline = SampleProcess.Start("VideoPipeline", segments.Path, [.. SmallFrames, "--fps", "50", "--seconds", "120"]);
        await pipeline.WaitForLineAsync("recorder ", Timeout);
        int recorder = Orphans.ChildWith(pipeline.Id, "recorder");

        SampleProcess.Signal(recorder, SigKill);
        await pipeline.WaitForLineAsync("analyser-1 ", Timeout); // a dead tethered subscriber does not hold the producer back
        pipeline.Signal(SigTerm);

        string error = await CleanFailure.AssertAsync(pipeline, expectedExitCode: 1, Timeout);
        Assert.Equal("pipeline: 1 of 3 subscribers failed: recorder killed by signal 9", error);
        Assert.Empty(segments.Files);
    }

    [Fact]
    public async Task A_corrupted_ring_ends_the_subscriber_in_one_line_and_the_pipeline_stops_cleanly()
    {
        using var segments = new SegmentDirectory();
        // One frame now, the next in 100 s: the ring stands still while the test scribbles on it.
        using SampleProcess pipeline = SampleProcess.Start("VideoPipeline", segments.Path,
            [.. SmallFrames, "--fps", "0.01", "--subscribers", "0", "--seconds", "120", "--channel", "video"]);
        await pipeline.WaitForLineAsync("producer: streaming", Timeout);
        using SampleProcess subscriber = SampleProcess.Start("VideoPipeline", segments.Path, "--role", "analyser-1", "--channel", "video");
        await subscriber.WaitForLineAsync("ready", Timeout);

        using (var segment = new SegmentFile(segments.Path, "video"))
        {
            // The subscriber (row 1) waits at Tail for the next frame. A scribbler publishes a record there that is 2 GiB long.
            long tail = segment.Read64(SegmentFile.TailOffset);
            await Poll.UntilAsync(() => segment.RowPosition(1) == tail, Timeout, "the subscriber to wait at Tail");
            segment.WriteRecordHeader(tail, int.MaxValue - 15, type: 1);
            segment.Write64(SegmentFile.TailOffset, tail + 64);
        }

        string error = await CleanFailure.AssertAsync(subscriber, expectedExitCode: 1, Timeout);
        Assert.Contains("corrupt", error);

        pipeline.Signal(SigTerm);
        int exitCode = await pipeline.ExitCodeAsync(Timeout);
        Assert.False(exitCode >= 128, $"The pipeline died by a signal (exit code {exitCode}):{Environment.NewLine}{pipeline.Transcript}");
        Assert.DoesNotContain(pipeline.OutputLines.Concat(pipeline.ErrorLines), CleanFailure.IsStackTrace);
        Assert.Empty(segments.Files);
    }

    [Fact]
    public async Task A_subscriber_of_something_that_is_not_a_video_channel_is_refused_in_one_line()
    {
        using var segments = new SegmentDirectory();
        await File.WriteAllTextAsync(Path.Combine(segments.Path, "neobuffer.junk"), "not a channel");
        using SampleProcess onJunk = SampleProcess.Start("VideoPipeline", segments.Path, "--role", "recorder", "--channel", "junk");
        await CleanFailure.AssertAsync(onJunk, expectedExitCode: 1, Timeout);

        using SampleProcess receiver = SampleProcess.Start("SendReceive", segments.Path, "receive", "chat");
        await segments.WaitForChannelAsync("chat", Timeout);
        using SampleProcess onChat = SampleProcess.Start("VideoPipeline", segments.Path, "--role", "recorder", "--channel", "chat");
        await CleanFailure.AssertAsync(onChat, expectedExitCode: 1, Timeout);

        using SampleProcess pipeline = SampleProcess.Start("VideoPipeline", segments.Path, [.. SmallFrames, "--channel", "chat"]);
        string error = await CleanFailure.AssertAsync(pipeline, expectedExitCode: 1, Timeout);
        Assert.Contains("exists", error);
        receiver.Signal(2);
        Assert.Equal(0, await receiver.ExitCodeAsync(Timeout));
    }

    [Theory]
    [InlineData("--width", "abc")]
    [InlineData("--width")]
    [InlineData("--frobnicate", "1")]
    [InlineData("--channel", "a/b")]
    [InlineData("--role", "recorder", "--channel", "..")]
    [InlineData("--width", "16384", "--height", "16384")]
    public async Task Bad_arguments_are_one_line_and_exit_code_2(params string[] args)
    {
        using var segments = new SegmentDirectory();
        using SampleProcess sample = SampleProcess.Start("VideoPipeline", segments.Path, args);
        await CleanFailure.AssertAsync(sample, expectedExitCode: 2, Timeout);
        Assert.Empty(segments.Files);
    }
}
