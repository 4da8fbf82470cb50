using System;
using NeoBuffer.TestHost.Messages;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>frames-produce DIR NAME COUNT MAXPIXELS</c>: opens the typed channel as its writer, builds COUNT
/// <see cref="VideoFrame"/>s in place (see <see cref="FrameContent"/>), then completes it.
/// </summary>
internal sealed class FramesProduce : IHostCommand
{
    public string Name => "frames-produce";

    public int Run(string[] args)
    {
        var options = new SharedChannelOptions { Directory = args[0] };
        long count = long.Parse(args[2]);
        int maxPixels = int.Parse(args[3]);
        using SharedChannelWriter<VideoFrame> writer = SharedChannel.OpenWriter<VideoFrame>(args[1], options);
        Console.WriteLine("ready");
        for (long sequence = 0; sequence < count; sequence++)
        {
            FrameContent.Write(writer, sequence, maxPixels);
        }

        writer.Complete();
        return 0;
    }
}
