using System;
using System.Threading;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>batch-read-and-hang DIR NAME COUNT</c>: opens the channel as its reader, reads COUNT messages with
/// <c>TryReadBatch</c>, prints "read", and then holds its role without reading: the parent kills it there, or the runtime
/// kills it at a protocol point inside the batch (NEOBUFFER_KILL_AT).
/// </summary>
internal sealed class BatchReadAndHang : IHostCommand
{
    public string Name => "batch-read-and-hang";

    public int Run(string[] args)
    {
        using SharedChannelReader reader = SharedChannel.OpenReader(args[1], new SharedChannelOptions { Directory = args[0] });
        Console.WriteLine("ready");
        int count = int.Parse(args[2]);
        var counting = new Counting();
        while (counting.Read < count)
        {
            reader.WaitToRead(TimeSpan.FromSeconds(30));
            reader.TryReadBatch(ref counting, count - counting.Read);
        }

        Console.WriteLine("read");
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }

    private struct Counting : IReadBatchHandler
    {
        public int Read;

        public bool OnMessage(in BatchMessage message)
        {
            Read++;
            return true;
        }
    }
}
