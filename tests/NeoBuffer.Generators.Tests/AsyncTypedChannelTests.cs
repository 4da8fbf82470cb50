using System;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Testing;
using NeoBuffer.TestHost.Messages;

namespace NeoBuffer.Generators.Tests;

/// <summary>
/// The async paths of typed channels for messages with variable-length fields, between real processes: frames leased
/// by <c>LeaseAllAsync</c>, and frames built after <c>Builder.WaitToClaimAsync</c> in a ring too small to hold them all.
/// </summary>
public sealed class AsyncTypedChannelTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(2);
    private const int Count = 300;
    private const int MaxPixels = 5000;

    [Fact]
    public async Task Frames_from_a_child_arrive_through_LeaseAllAsync()
    {
        using var channel = new TestChannel("leaseframes");
        using SharedChannelReader<VideoFrame> reader = SharedChannel.CreateReader<VideoFrame>(channel.Name, channel.Options(1 << 16));
        using ChildProcess producer = ChildProcess.Start("frames-produce", channel.Directory, channel.Name, Count.ToString(), MaxPixels.ToString());

        long expected = 0;
        using var bound = new CancellationTokenSource(Generous); // a stream that misses its end fails, never hangs
        await foreach (LeasedMessage<VideoFrame> message in reader.LeaseAllAsync(bound.Token))
        {
            string? error = FrameContent.Verify(new VideoFrame.View(message.Payload), expected, MaxPixels);
            Assert.True(error is null, error);
            expected++;
        }

        Assert.Equal(Count, expected);
        Assert.True(await producer.ExitCodeAsync(Generous) == 0, producer.Output);
    }

    [Fact]
    public void ReadAllAsync_of_a_message_with_variable_fields_points_at_LeaseAllAsync()
    {
        using var channel = new TestChannel("readallvar");
        using SharedChannelReader<VideoFrame> reader = SharedChannel.CreateReader<VideoFrame>(channel.Name, channel.Options());
        var error = Assert.Throws<InvalidOperationException>(() => reader.ReadAllAsync());
        Assert.Contains("LeaseAllAsync", error.Message);
    }

    [Fact]
    public async Task Builders_claimed_after_WaitToClaimAsync_reach_a_child()
    {
        using var channel = new TestChannel("claimasync");
        using SharedChannelWriter<VideoFrame> writer = SharedChannel.CreateWriter<VideoFrame>(channel.Name, channel.Options(1 << 16));
        using ChildProcess consumer = ChildProcess.Start("frames-consume", channel.Directory, channel.Name, Count.ToString(), MaxPixels.ToString());
        Assert.Equal("ready", await consumer.FirstLineAsync(Generous));

        int waited = 0;
        using var bound = new CancellationTokenSource(Generous);
        for (long sequence = 0; sequence < Count; sequence++)
        {
            int nameLength = Encoding.UTF8.GetByteCount(FrameContent.CameraName(sequence));
            int pixels = FrameContent.PixelLength(sequence, MaxPixels);
            int corners = FrameContent.CornerCount(sequence);
            while (!TryBuild(writer, sequence, nameLength, pixels, corners))
            {
                // 300 frames of up to 5000 pixels in a 64 KiB ring: the writer waits for the child here, asynchronously.
                waited++;
                Assert.True(await VideoFrame.Builder.WaitToClaimAsync(writer, nameLength, pixels, corners, bound.Token));
            }
        }

        writer.Complete();
        Assert.True(await consumer.ExitCodeAsync(Generous) == 0, consumer.Output);
        Assert.True(waited > 0, "the ring never filled, so the wait was not exercised");
    }

    [Fact]
    public async Task WaitToClaimAsync_completes_false_once_the_channel_is_completed()
    {
        using var channel = new TestChannel("claimdone");
        using SharedChannelWriter<VideoFrame> writer = SharedChannel.CreateWriter<VideoFrame>(channel.Name, channel.Options());
        writer.Complete();
        Assert.False(await VideoFrame.Builder.WaitToClaimAsync(writer, 1, 1, 1, Generous));
    }

    // A builder is a ref struct: it is claimed, filled and committed between awaits, never across one.
    private static bool TryBuild(SharedChannelWriter<VideoFrame> writer, long sequence, int nameLength, int pixels, int corners)
    {
        if (!VideoFrame.Builder.TryClaim(writer, nameLength, pixels, corners, out VideoFrame.Builder frame))
        {
            return false;
        }

        FrameContent.Fill(ref frame, sequence);
        frame.Commit();
        return true;
    }
}
