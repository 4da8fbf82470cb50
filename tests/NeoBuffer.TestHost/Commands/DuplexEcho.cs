using System;
using System.Threading;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>duplex-echo DIR NAME [HANG_AFTER]</c>: opens the duplex channel NAME, prints "ready", and writes back every
/// message it reads with each byte inverted (so an echo is told from a message that never went round). When its
/// reader sees the end of the stream it completes its own direction and exits 0. With HANG_AFTER, it prints "echoed"
/// after that many messages and holds both roles without reading on: the parent kills it there.
/// </summary>
internal sealed class DuplexEcho : IHostCommand
{
    public string Name => "duplex-echo";

    public int Run(string[] args)
    {
        using SharedDuplexChannel channel = SharedChannel.OpenDuplex(args[1], new SharedChannelOptions { Directory = args[0] });
        long hangAfter = args.Length > 2 ? long.Parse(args[2]) : long.MaxValue;
        Console.WriteLine("ready");
        long echoed = 0;
        while (channel.Reader.WaitToRead(TimeSpan.FromSeconds(60)))
        {
            while (channel.Reader.TryLease(out ReadLease lease))
            {
                using (lease)
                using (WriteClaim claim = channel.Writer.Claim(lease.Length, TimeSpan.FromSeconds(60)))
                {
                    for (int i = 0; i < lease.Length; i++)
                    {
                        claim.Payload[i] = (byte)~lease.Payload[i];
                    }

                    claim.Commit();
                }

                if (++echoed == hangAfter)
                {
                    Console.WriteLine("echoed");
                    Thread.Sleep(Timeout.Infinite);
                }
            }
        }

        channel.Writer.Complete();
        return 0;
    }
}
