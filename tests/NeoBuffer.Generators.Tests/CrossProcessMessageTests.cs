using System;
using System.Threading.Tasks;
using NeoBuffer.Testing;
using NeoBuffer.TestHost.Messages;

namespace NeoBuffer.Generators.Tests;

/// <summary>
/// Generated messages between real processes: the child (NeoBuffer.TestHost, with its own generated code) builds or
/// checks frames that this process checks or builds, including 8 MiB frames and non-ASCII text.
/// </summary>
public sealed class CrossProcessMessageTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Frames_built_in_a_child_arrive_intact()
    {
        await ReadFramesFromChild(count: 300, maxPixels: 5000, capacity: 1 << 16);
    }

    [Fact]
    public async Task Eight_MiB_frames_built_in_a_child_arrive_intact()
    {
        // Frames 0 and 3 carry exactly 8 MiB of pixels; the ring holds under two of them, so the writer waits too.
        await ReadFramesFromChild(count: 4, maxPixels: 8 << 20, capacity: 32L << 20);
    }

    [Fact]
    public async Task Frames_built_here_arrive_intact_in_a_child()
    {
        const int count = 300;
        const int maxPixels = 5000;
        using var channel = new TestChannel("xframes");
        using SharedChannelWriter<VideoFrame> writer = SharedChannel.CreateWriter<VideoFrame>(channel.Name, channel.Options(1 << 16));
        using ChildProcess consumer = ChildProcess.Start("frames-consume", channel.Directory, channel.Name, count.ToString(), maxPixels.ToString());
        Assert.Equal("ready", await consumer.FirstLineAsync(Generous));

        await Task.Run(() =>
        {
            for (long sequence = 0; sequence < count; sequence++)
            {
                FrameContent.Write(writer, sequence, maxPixels);
            }

            writer.Complete();
        });

        Assert.True(await consumer.ExitCodeAsync(Generous) == 0, consumer.Output);
    }

    [Fact]
    public async Task Whole_message_copies_from_a_child_arrive_intact()
    {
        const int count = 20_000;
        using var channel = new TestChannel("xticks");
        using SharedChannelReader<Tick> reader = SharedChannel.CreateReader<Tick>(channel.Name, channel.Options(1 << 14));
        using ChildProcess producer = ChildProcess.Start("ticks-produce", channel.Directory, channel.Name, count.ToString());

        long expected = 0;
        await Task.Run(() =>
        {
            // Each wait is bounded, and so is the loop: a wait that keeps reporting "ready" with nothing to read fails.
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (reader.WaitToRead(Generous))
            {
                Assert.True(clock.Elapsed < Generous, $"reading {count} ticks did not finish within {Generous}");
                while (reader.TryRead(out Tick tick))
                {
                    Assert.Equal(FrameContent.Tick(expected), tick);
                    expected++;
                }
            }
        });

        Assert.Equal(count, expected);
        Assert.True(await producer.ExitCodeAsync(Generous) == 0, producer.Output);
    }

    private static async Task ReadFramesFromChild(long count, int maxPixels, long capacity)
    {
        using var channel = new TestChannel("xframes");
        using SharedChannelReader<VideoFrame> reader = SharedChannel.CreateReader<VideoFrame>(channel.Name, channel.Options(capacity));
        using ChildProcess producer = ChildProcess.Start("frames-produce", channel.Directory, channel.Name, count.ToString(), maxPixels.ToString());

        long expected = 0;
        await Task.Run(() =>
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (reader.WaitToRead(Generous))
            {
                Assert.True(clock.Elapsed < Generous, $"reading {count} frames did not finish within {Generous}");
                while (reader.TryLease(out MessageLease<VideoFrame> lease))
                {
                    using (lease)
                    {
                        string? error = FrameContent.Verify(new VideoFrame.View(lease), expected, maxPixels);
                        Assert.True(error is null, error);
                    }

                    expected++;
                }
            }
        });

        Assert.Equal(count, expected);
        Assert.True(await producer.ExitCodeAsync(Generous) == 0, producer.Output);
        Assert.True(reader.Completion.IsCompletedSuccessfully);
    }
}
