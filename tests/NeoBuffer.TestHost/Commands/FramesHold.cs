using System;
using System.Threading;
using NeoBuffer.TestHost.Messages;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>frames-hold DIR NAME TOPOLOGY COUNT MAXPIXELS [stream]</c>: creates a typed channel of TOPOLOGY (spsc, mpsc or
/// broadcast; a 1 MiB ring) as its writer, builds COUNT <see cref="VideoFrame"/>s in place (see
/// <see cref="FrameContent"/>), prints "ready" and holds the channel until it is killed; with <c>stream</c>, it goes on
/// writing a frame every 2 ms meanwhile (for broadcast, which no reader holds back).
/// </summary>
internal sealed class FramesHold : IHostCommand
{
    public string Name => "frames-hold";

    public int Run(string[] args)
    {
        var options = new SharedChannelOptions
        {
            Directory = args[0],
            Capacity = 1 << 20,
            Topology = args[2] switch
            {
                "mpsc" => ChannelTopology.MultiProducerSingleConsumer,
                "broadcast" => ChannelTopology.Broadcast,
                _ => ChannelTopology.SingleProducerSingleConsumer,
            },
        };
        long count = long.Parse(args[3]);
        int maxPixels = int.Parse(args[4]);
        using SharedChannelWriter<VideoFrame> writer = SharedChannel.CreateWriter<VideoFrame>(args[1], options);
        long sequence = 0;
        for (; sequence < count; sequence++)
        {
            FrameContent.Write(writer, sequence, maxPixels);
        }

        Console.WriteLine("ready");
        if (args.Length > 5 && args[5] == "stream")
        {
            while (true)
            {
                FrameContent.Write(writer, sequence++, maxPixels);
                Thread.Sleep(2); // pacing of a live stream, not synchronisation: the test reads whatever it sees
            }
        }

        Thread.Sleep(Timeout.Infinite);
        return 0;
    }
}
