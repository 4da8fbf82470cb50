using System;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>mpsc-consume DIR NAME</c>: opens the channel as its reader and reads (and releases) every message until the
/// channel completes: the consumer a test kills, or that the runtime kills at a protocol point (NEOBUFFER_KILL_AT).
/// </summary>
internal sealed class MpscConsume : IHostCommand
{
    public string Name => "mpsc-consume";

    public int Run(string[] args)
    {
        using SharedChannelReader reader = SharedChannel.OpenReader(args[1], new SharedChannelOptions { Directory = args[0] });
        Console.WriteLine("ready");
        while (reader.WaitToRead(TimeSpan.FromSeconds(60)))
        {
            while (reader.TryLease(out ReadLease lease))
            {
                lease.Dispose();
            }
        }

        return 0;
    }
}
