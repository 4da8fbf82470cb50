using System;
using NeoBuffer.TestHost.Messages;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>frames-consume DIR NAME COUNT MAXPIXELS</c>: opens the typed channel as its reader and checks that exactly COUNT
/// intact <see cref="VideoFrame"/>s arrive in order before the writer completes it. Exit code 0 when they do; 3 and
/// the reason on standard error when not.
/// </summary>
internal sealed class FramesConsume : IHostCommand
{
    public string Name => "frames-consume";

    public int Run(string[] args)
    {
        var options = new SharedChannelOptions { Directory = args[0] };
        long count = long.Parse(args[2]);
        int maxPixels = int.Parse(args[3]);
        using SharedChannelReader<VideoFrame> reader = SharedChannel.OpenReader<VideoFrame>(args[1], options);
        Console.WriteLine("ready");
        long sequence = 0;
        while (reader.WaitToRead(TimeSpan.FromSeconds(60)))
        {
            while (reader.TryLease(out MessageLease<VideoFrame> lease))
            {
                using (lease)
                {
                    string? error = FrameContent.Verify(new VideoFrame.View(lease), sequence, maxPixels);
                    if (error is not null)
                    {
                        Console.Error.WriteLine(error);
                        return 3;
                    }
                }

                sequence++;
            }
        }

        if (sequence != count)
        {
            Console.Error.WriteLine($"expected {count} frames, got {sequence}");
            return 3;
        }

        return 0;
    }
}
