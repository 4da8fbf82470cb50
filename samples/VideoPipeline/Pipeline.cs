using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer;

namespace VideoPipeline;

/// <summary>
/// The pipeline process: creates the broadcast channel, starts the subscriber processes, streams frames into the
/// channel for the set time (it is the producer), completes the channel, waits for the subscribers, prints the summary.
/// </summary>
internal static class Pipeline
{
    /// <summary>
    /// Every process here parks at once when it has to wait, instead of spinning first (the default). A frame takes
    /// about a millisecond to fill or to hash and a park costs tens of microseconds, so spinning would save little; and
    /// with more busy processes than cores (4 on a 2-core machine) a spinning waiter takes the CPU from the very process
    /// it waits for: on such a machine spinning made this pipeline several times slower.
    /// </summary>
    public const int SpinCount = 0;

    private const string CameraName = "caméra-1 · 東京"; // any UTF-8 text: it travels as a VarUtf8 field

    /// <summary>How long the producer waits for room before it decides a tethered subscriber stopped reading.</summary>
    private static readonly TimeSpan s_roomTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Runs the pipeline; the documented exceptions of creating the channel reach <see cref="SampleExit"/>.</summary>
    public static int Run(PipelineOptions options)
    {
        // Ctrl+C or SIGTERM: stop streaming, complete the channel, let the subscribers finish and report.
        using var stop = new CancellationTokenSource();
        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var onHangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Stop); // the terminal closed
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true; // keep running until the shutdown below is done
            if (!stop.IsCancellationRequested)
            {
                Console.WriteLine("stopping: completing the channel, waiting for the subscribers");
                stop.Cancel();
            }
        }

        byte[] cameraName = Encoding.UTF8.GetBytes(CameraName);
        int recordBytes = CameraFrame.Builder.LengthFor(cameraName.Length, options.PixelBytes);
        var channelOptions = new SharedChannelOptions
        {
            Topology = ChannelTopology.Broadcast,
            Capacity = RingCapacityFor(recordBytes),
            MaxSubscribers = Math.Max(1, options.Subscribers),
            SpinCount = SpinCount,
        };

        SharedChannelWriter<CameraFrame> writer;
        try
        {
            writer = SharedChannel.CreateWriter<CameraFrame>(options.Channel, channelOptions);
        }
        catch (ChannelExistsException)
        {
            return SampleExit.Print(SampleExit.Failed, $"pipeline: a channel named '{options.Channel}' exists already: choose another name with --channel.");
        }

        using (writer)
        {
            Console.WriteLine($"channel '{options.Channel}': broadcast, {channelOptions.Capacity >> 20} MiB ring, " +
                              $"{options.Width}x{options.Height} RGBA frames of {options.PixelBytes:N0} B from camera \"{CameraName}\"");
            var subscribers = new List<SubscriberProcess>();
            RunResult? producer = null;
            string? failure = null;
            bool subscriptionFailed = false;
            try
            {
                foreach (string role in Roles(options.Subscribers))
                {
                    subscribers.Add(SubscriberProcess.Start(role, options.Channel));
                }

                failure = WaitUntilSubscribed(subscribers, stop.Token);
                subscriptionFailed = failure is not null;
                if (failure is null && !stop.IsCancellationRequested)
                {
                    producer = Produce(writer, options, cameraName, stop.Token);
                }
            }
            catch (Exception error)
            {
                // Caught here, not by SampleExit, so that the subscribers are told and waited for before this process exits.
                failure = SampleExit.Describe(error).What;
            }
            finally
            {
                // Subscribers that did subscribe when another could not have nothing to be told: they just see the end.
                StopSubscribers(writer, subscribers, subscriptionFailed ? null : failure);
            }

            Console.WriteLine();
            Console.WriteLine(RunResult.Header);
            if (producer is not null)
            {
                Console.WriteLine(producer.ToRow());
            }

            foreach (SubscriberProcess subscriber in subscribers)
            {
                Console.WriteLine(subscriber.Result?.ToRow() ?? $"{subscriber.Role,-11} (no result: {subscriber.Ending})");
            }

            Console.WriteLine("latency: from the producer's commit to the subscriber's lease; at --fps 0 it includes the frames queued in the ring");
            Console.WriteLine("lost: frames the lossy preview never saw (torn frames, overwritten while it read them, are dropped and counted too)");

            // Success: every subscriber exited cleanly and, unless the run was stopped early, every one got frames.
            // A subscriber that failed before it subscribed said why (a producer failure, by contrast, is the reason
            // every subscriber then fails, and their lines would only repeat it).
            string? subscriberFailures = SubscriberFailures(subscribers);
            failure = subscriptionFailed && subscriberFailures is not null ? $"{failure} ({subscriberFailures})" : failure ?? subscriberFailures;
            if (failure is null && !stop.IsCancellationRequested && (producer is null || subscribers.Any(s => s.Result is not { Frames: > 0 })))
            {
                failure = "a subscriber got no frames: see the summary above";
            }

            return failure is null ? SampleExit.Done : SampleExit.Print(SampleExit.Failed, $"pipeline: {failure}");
        }
    }

    /// <summary>
    /// Ends the stream and waits for every subscriber to exit, so that none outlives this process. They read what is
    /// left and see the end; after a <paramref name="failure"/> they see the channel completed with it as the error.
    /// </summary>
    private static void StopSubscribers(SharedChannelWriter<CameraFrame> writer, List<SubscriberProcess> subscribers, string? failure)
    {
        bool completed;
        try
        {
            writer.TryComplete(failure is null ? null : new ProducerFailed());
            completed = true;
        }
        catch (Exception)
        {
            // A corrupted ring may refuse even this (the failure that got here is already the one reported). Whatever
            // it threw, the subscribers must still be stopped: they are asked to at once, by SIGTERM.
            completed = false;
        }

        foreach (SubscriberProcess subscriber in subscribers)
        {
            subscriber.Stop(completed ? TimeSpan.FromSeconds(10) : TimeSpan.Zero); // a few frames are left to read at most
        }
    }

    /// <summary>One clause naming every subscriber that failed and how; null when none did.</summary>
    private static string? SubscriberFailures(List<SubscriberProcess> subscribers)
    {
        string[] failures = subscribers.Select(s => s.Failure).OfType<string>().ToArray();
        return failures.Length == 0 ? null : $"{failures.Length} of {subscribers.Count} subscribers failed: {string.Join("; ", failures)}";
    }

    /// <summary>1 = a recorder; 2 = + an analyser; 3 = + a lossy preview; more = more analysers.</summary>
    private static IEnumerable<string> Roles(int count)
    {
        for (int i = 0; i < count; i++)
        {
            yield return i switch
            {
                0 => "recorder",
                1 => "analyser-1",
                2 => "preview",
                _ => $"analyser-{i - 1}",
            };
        }
    }

    /// <summary>
    /// Room for about six frames: the producer can run a few frames ahead of the slowest tethered subscriber, and the
    /// lossy preview has a few frames of slack before it is lapped. A record may use a little under half the ring.
    /// </summary>
    private static long RingCapacityFor(int recordBytes) =>
        Math.Max(1L << 20, (long)BitOperations.RoundUpToPowerOf2((ulong)recordBytes * 6));

    /// <summary>
    /// Streaming starts once every subscriber has subscribed, so the tethered ones see every frame from the first.
    /// Null when they all did, or when the pipeline was stopped meanwhile; else why not.
    /// </summary>
    private static string? WaitUntilSubscribed(List<SubscriberProcess> subscribers, CancellationToken stop)
    {
        try
        {
            return Task.WhenAll(subscribers.Select(s => s.Subscribed)).Wait(TimeSpan.FromSeconds(60), stop)
                ? null
                : "the subscribers did not start within 60 s";
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (AggregateException error)
        {
            return error.InnerException?.Message ?? error.Message;
        }
    }

    private static RunResult Produce(SharedChannelWriter<CameraFrame> writer, PipelineOptions options, byte[] cameraName, CancellationToken stop)
    {
        var fill = new GradientFill(options.Width, options.Height);
        Console.WriteLine($"producer: streaming for {options.Seconds:0.#} s at {(options.Fps > 0 ? $"{options.Fps:0.#} frames/s" : "full speed")}; " +
                          $"each frame is {GradientFill.Description}");
        var stats = new FrameStats("producer", "writer");
        long startNs = Clock.NowNs;
        long endNs = startNs + (long)(options.Seconds * 1e9);
        long waitedNs = 0;
        long secondWaitedNs = 0;
        long secondStartNs = startNs;
        for (long sequence = 0; !stop.IsCancellationRequested; sequence++)
        {
            long now = Clock.NowNs;
            if (now >= endNs)
            {
                break;
            }

            if (options.Fps > 0)
            {
                long dueNs = startNs + (long)(sequence * 1e9 / options.Fps);
                if (dueNs > now && stop.WaitHandle.WaitOne(TimeSpan.FromTicks((dueNs - now) / 100)))
                {
                    break;
                }
            }

            // Claim room for the whole record in the ring. The wait is for the slowest tethered subscriber to move on.
            CameraFrame.Builder frame;
            long claimStartNs = Clock.NowNs;
            try
            {
                // Bounded: a tethered subscriber that stops reading (hung, or a hostile peer) holds the producer back
                // for good; after s_roomTimeout the TimeoutException ends the run with a line that says so.
                frame = CameraFrame.Builder.Claim(writer, cameraName.Length, options.PixelBytes, s_roomTimeout, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            long claimedNs = Clock.NowNs;
            waitedNs += claimedNs - claimStartNs;
            secondWaitedNs += claimedNs - claimStartNs;

            // Fill the frame in place, in shared memory: the only copy the pixels ever see.
            frame.Sequence = sequence;
            frame.Width = options.Width;
            frame.Height = options.Height;
            frame.Format = PixelFormat.Rgba32;
            cameraName.CopyTo(frame.CameraNameUtf8);
            fill.Fill(frame.Pixels, sequence);
            frame.TimestampNs = Clock.NowNs;
            frame.Commit();

            now = Clock.NowNs;
            stats.Record(options.PixelBytes, latencyNs: -1, now);
            if (stats.SecondIsUp(now))
            {
                stats.PrintSecond(now, $" | waited for room {100.0 * secondWaitedNs / (now - secondStartNs),3:F0} % of the time");
                secondWaitedNs = 0;
                secondStartNs = now;
            }
        }

        double elapsedNs = Math.Max(1, Clock.NowNs - startNs);
        return stats.Result(lost: -1, torn: -1, $"waited for room {100.0 * waitedNs / elapsedNs:F0} % of the time");
    }
}

/// <summary>
/// Synthetic frames that cost little to make, so the producer is not the bottleneck: a diagonal colour gradient that
/// moves 4 pixels a frame. Pixel (x, y) is strip[x + y], so each row is one vectorised copy out of a small strip
/// (width + height pixels, rebuilt each frame) that stays in the CPU cache.
/// </summary>
internal sealed class GradientFill(int width, int height)
{
    public const string Description = "a moving diagonal gradient, written row by row with wide copies from a cached strip";

    private readonly uint[] _strip = new uint[width + height];

    public void Fill(Span<byte> pixels, long sequence)
    {
        for (int i = 0; i < _strip.Length; i++)
        {
            int v = (int)((i + sequence * 4) & 511);
            v = v < 256 ? v : 511 - v; // a triangle wave: 0 -> 255 -> 0 over 512 pixels
            _strip[i] = (uint)v | (uint)(255 - v) << 8 | (uint)(v / 2 + 64) << 16 | 0xFFu << 24; // R, G, B, A (little-endian RGBA)
        }

        Span<uint> target = MemoryMarshal.Cast<byte, uint>(pixels);
        for (int y = 0; y < height; y++)
        {
            _strip.AsSpan(y, width).CopyTo(target.Slice(y * width, width));
        }
    }
}
