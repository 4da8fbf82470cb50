using System;
using System.Threading;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>read-and-hang DIR NAME COUNT</c>: opens the channel as its reader (or a tethered subscriber), reads COUNT
/// messages, prints "read", and then holds its role without reading: the parent kills it there.
/// </summary>
internal sealed class ReadAndHang : IHostCommand
{
    public string Name => "read-and-hang";

    public int Run(string[] args)
    {
        using SharedChannelReader reader = SharedChannel.OpenReader(args[1], new SharedChannelOptions { Directory = args[0] });
        Console.WriteLine("ready");
        int count = int.Parse(args[2]);
        for (int read = 0; read < count;)
        {
            reader.WaitToRead(TimeSpan.FromSeconds(30));
            while (read < count && reader.TryLease(out ReadLease lease))
            {
                lease.Dispose();
                read++;
            }
        }

        Console.WriteLine("read");
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }
}
