using System;
using NeoBuffer.TestHost.Messages;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>orders-produce DIR NAME VERSION FIRST COUNT complete|keep</c>: opens the channel as a writer of
/// <see cref="OrderV1"/> or <see cref="OrderV2"/> (VERSION 1 or 2), writes orders FIRST to FIRST+COUNT-1 (see
/// <see cref="OrderContent"/>), and completes the channel or not (an MPSC writer among others leaves that to the test).
/// </summary>
internal sealed class OrdersProduce : IHostCommand
{
    public string Name => "orders-produce";

    public int Run(string[] args)
    {
        var options = new SharedChannelOptions { Directory = args[0] };
        long first = long.Parse(args[3]);
        long count = long.Parse(args[4]);
        bool complete = args[5] == "complete";
        if (args[2] == "1")
        {
            Produce<OrderV1>(args[1], options, first, count, complete, OrderContent.Write);
        }
        else
        {
            Produce<OrderV2>(args[1], options, first, count, complete, OrderContent.Write);
        }

        Console.WriteLine("done");
        return 0;
    }

    private static void Produce<T>(string name, SharedChannelOptions options, long first, long count, bool complete, Action<SharedChannelWriter<T>, long> write)
        where T : unmanaged, IChannelMessage<T>
    {
        using SharedChannelWriter<T> writer = SharedChannel.OpenWriter<T>(name, options);
        Console.WriteLine("ready");
        for (long sequence = first; sequence < first + count; sequence++)
        {
            write(writer, sequence);
        }

        if (complete)
        {
            writer.Complete();
        }
    }
}
