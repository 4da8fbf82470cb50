using System;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Threading;
using NeoBuffer;

namespace VideoPipeline;

/// <summary>
/// A subscriber process: opens the broadcast channel, reads every frame in place, and reports. The pipeline process
/// starts one per role: <c>recorder</c> and <c>analyser-N</c> are tethered (the producer waits for them, so they see
/// every frame), <c>preview</c> is lossy (the producer never waits for it: it gets what it has time for).
/// </summary>
internal static class Subscriber
{
    public static int Run(string role, string channel)
    {
        // The terminal sends Ctrl+C to every process of the pipeline. Subscribers ignore it: the producer stops and
        // completes the channel, and each subscriber reads what is left and reports. SIGTERM stops a subscriber early.
        using var stop = new CancellationTokenSource();
        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => context.Cancel = true);
        // A closed terminal (SIGHUP) reaches every process of the pipeline too; the pipeline stops, so this one does.
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var onHangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Stop);
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        IFrameConsumer consumer = role == "recorder" ? new Recorder() : role == "preview" ? new Preview() : new Analyser();
        var options = new SharedChannelOptions { SubscriberMode = consumer.Mode, SpinCount = Pipeline.SpinCount };
        SharedChannelReader<CameraFrame> reader;
        try
        {
            reader = SharedChannel.OpenReader<CameraFrame>(channel, options);
        }
        catch (ChannelNotFoundException)
        {
            return SampleExit.Print(SampleExit.Failed,
                $"{role}: there is no channel '{channel}': the pipeline stopped before this subscriber started, or never ran (start it: dotnet run --project samples/VideoPipeline)");
        }

        // From here on the channel's documented exceptions (the producer died or completed it with an error, the ring is
        // corrupted) leave through the using below, which detaches first, to SampleExit, which prints the one line.

        using (reader)
        {
            Console.WriteLine("ready"); // the pipeline starts streaming once every subscriber has said this
            var stats = new FrameStats(role, consumer.Mode == SubscriberMode.Lossy ? "lossy" : "tethered");
            long torn = 0;
            try
            {
                while (!stop.IsCancellationRequested && WaitForFrames(reader, stop.Token))
                {
                    while (!stop.IsCancellationRequested && reader.TryLease(out MessageLease<CameraFrame> lease))
                    {
                        long now = Clock.NowNs;
                        using (lease)
                        {
                            bool valid = TryConsume(lease, consumer, out long timestampNs, out int pixelBytes);

                            // A lossy subscriber can be lapped while it reads: then what it read may be torn, and is dropped.
                            if (lease.IsOverwritten)
                            {
                                torn++;
                                continue;
                            }

                            if (!valid)
                            {
                                return SampleExit.Print(SampleExit.Failed,
                                    $"{role}: a frame that is not a valid RGBA frame arrived: another program is writing to '{channel}'. Use a channel name of your own.");
                            }

                            stats.Record(pixelBytes, now - timestampNs, now);
                        }

                        consumer.AfterFrame(); // outside the lease: the preview sleeps here
                        PrintIfSecondIsUp(stats, consumer, reader);
                    }

                    PrintIfSecondIsUp(stats, consumer, reader);
                }
            }
            finally
            {
                // The pipeline's summary shows what this subscriber got, whether or not it got everything.
                long lost = consumer.Mode == SubscriberMode.Lossy ? reader.LostMessages : -1;
                Console.WriteLine(stats.Result(lost, consumer.Mode == SubscriberMode.Lossy ? torn : -1, consumer.Summary).ToLine());
            }

            return consumer.Failed ? SampleExit.Print(SampleExit.Failed, $"{role}: {consumer.Summary}") : SampleExit.Done;
        }
    }

    /// <summary>
    /// Reads the frame in place through the generated view and hands it to <paramref name="consumer"/>. Each field is
    /// read once: a lossy subscriber's frame can change under it, so sizes are checked against the span they index.
    /// False when the frame is not a valid RGBA frame (for a lossy subscriber, most likely a torn one).
    /// </summary>
    private static bool TryConsume(in MessageLease<CameraFrame> lease, IFrameConsumer consumer, out long timestampNs, out int pixelBytes)
    {
        timestampNs = 0;
        pixelBytes = 0;
        try
        {
            var frame = new CameraFrame.View(lease); // every descriptor is checked before a span is made
            int width = frame.Width;
            int height = frame.Height;
            ReadOnlySpan<byte> pixels = frame.Pixels;
            if (frame.Format != PixelFormat.Rgba32 || width <= 0 || height <= 0 || pixels.Length != (long)width * height * 4)
            {
                return false;
            }

            consumer.Consume(frame.Sequence, width, height, pixels);
            timestampNs = frame.TimestampNs;
            pixelBytes = pixels.Length;
            return true;
        }
        catch (MessageFormatException)
        {
            return false;
        }
    }

    private static void PrintIfSecondIsUp(FrameStats stats, IFrameConsumer consumer, SharedChannelReader<CameraFrame> reader)
    {
        long now = Clock.NowNs;
        if (stats.SecondIsUp(now))
        {
            stats.PrintSecond(now, consumer.Mode == SubscriberMode.Lossy ? $" | lost so far {reader.LostMessages:N0}" : consumer.Status);
        }
    }

    /// <summary>Waits up to a second for frames, so the stats line comes out even when none arrive. False at the end of the stream.</summary>
    private static bool WaitForFrames(SharedChannelReader<CameraFrame> reader, CancellationToken stop)
    {
        try
        {
            return reader.WaitToRead(TimeSpan.FromSeconds(1), stop);
        }
        catch (TimeoutException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}

/// <summary>What a subscriber does with each frame.</summary>
internal interface IFrameConsumer
{
    SubscriberMode Mode { get; }

    /// <summary>Appended to the once-a-second line.</summary>
    string Status { get; }

    /// <summary>The note in the summary table.</summary>
    string Summary { get; }

    bool Failed { get; }

    /// <summary>Handles one frame: <paramref name="pixels"/> (RGBA, <paramref name="width"/> x <paramref name="height"/>) is in shared memory.</summary>
    void Consume(long sequence, int width, int height, ReadOnlySpan<byte> pixels);

    void AfterFrame()
    {
    }
}

/// <summary>Checksums every pixel of every frame, and checks that no frame is missing.</summary>
internal sealed class Recorder : IFrameConsumer
{
    private ulong _digest;
    private long _expected;
    private long _missing;

    public SubscriberMode Mode => SubscriberMode.Tethered;

    public string Status => _missing == 0 ? " | no gaps" : $" | {_missing} frames missing";

    public string Summary => $"XxHash3 of every pixel, chained: {_digest:x16}; {(_missing == 0 ? "no gaps" : $"{_missing} frames missing")}";

    public bool Failed => _missing != 0;

    public void Consume(long sequence, int width, int height, ReadOnlySpan<byte> pixels)
    {
        // XxHash3 reads the pixels where the producer wrote them, in shared memory: about 8 MiB a frame at 1080p.
        _digest = XxHash3.HashToUInt64(pixels, (long)_digest);
        _missing += sequence - _expected; // a tethered subscriber that joined before the first frame sees them all
        _expected = sequence + 1;
    }
}

/// <summary>Mean luma (BT.709) over every 4th pixel of every 4th row: a cheap analysis that touches 1/16 of the frame.</summary>
internal sealed class Analyser : IFrameConsumer
{
    private double _lastLuma;
    private double _lumaSum;
    private long _frames;

    public SubscriberMode Mode => SubscriberMode.Tethered;

    public string Status => $" | mean luma {_lastLuma,5:F1}";

    public string Summary => $"mean luma over 1/16 of the pixels, averaged: {(_frames == 0 ? 0 : _lumaSum / _frames):F1}";

    public bool Failed => false;

    public void Consume(long sequence, int width, int height, ReadOnlySpan<byte> pixels)
    {
        ReadOnlySpan<uint> rgba = MemoryMarshal.Cast<byte, uint>(pixels); // little-endian: R is the low byte
        long sum = 0;
        long count = 0;
        for (int y = 0; y < height; y += 4)
        {
            ReadOnlySpan<uint> row = rgba.Slice(y * width, width);
            for (int x = 0; x < row.Length; x += 4)
            {
                uint p = row[x];
                sum += (54 * (p & 0xFF) + 183 * ((p >> 8) & 0xFF) + 19 * ((p >> 16) & 0xFF)) >> 8;
                count++;
            }
        }

        _lastLuma = count == 0 ? 0 : (double)sum / count;
        _lumaSum += _lastLuma;
        _frames++;
    }
}

/// <summary>
/// A deliberately slow preview: shrinks each frame to a 64x36 thumbnail, then sleeps 50 ms as if drawing it. Being
/// lossy, it never holds the producer back: the producer laps it, and it counts what it lost.
/// </summary>
internal sealed class Preview : IFrameConsumer
{
    private static readonly TimeSpan s_drawTime = TimeSpan.FromMilliseconds(50);
    private readonly uint[] _thumbnail = new uint[64 * 36];

    public SubscriberMode Mode => SubscriberMode.Lossy;

    public string Status => "";

    public string Summary => $"64x36 thumbnail, then sleeps {s_drawTime.TotalMilliseconds:F0} ms a frame";

    public bool Failed => false;

    public void Consume(long sequence, int width, int height, ReadOnlySpan<byte> pixels)
    {
        ReadOnlySpan<uint> rgba = MemoryMarshal.Cast<byte, uint>(pixels);
        for (int ty = 0; ty < 36; ty++)
        {
            for (int tx = 0; tx < 64; tx++)
            {
                // In 64 bits: a frame may hold up to 2^29 pixels, and ty * height or tx * width would pass 2^31.
                _thumbnail[ty * 64 + tx] = rgba[(int)((long)ty * height / 36 * width + (long)tx * width / 64)];
            }
        }
    }

    public void AfterFrame() => Thread.Sleep(s_drawTime);
}
