using System;
using System.Threading;
using NeoBuffer.Testing;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>corrupt-own-ring DIRECTORY NAME</c>: connects to the server NAME (of any service) with a response ring of its own making
/// (4 KiB), is acknowledged, then stores an impossible read position (not a record boundary) in its own ring's header
/// and sends more requests than the ring has room for answers, reading none: the server, replying, runs out of room it
/// knows of, reads the position again and finds it impossible. Prints <c>sent</c>, then stays, its reader row alive, until
/// its parent kills it or goes away. What a client that owns its ring (as every client does) can do to its server.
/// </summary>
internal sealed unsafe class CorruptOwnRing : IHostCommand
{
    private const long Capacity = 4096;

    public string Name => "corrupt-own-ring";

    public int Run(string[] args)
    {
        ParentWatch.Start();
        using HandMadeClient client = HandMadeClient.Create(args[0], args[1], Capacity);
        client.SendConnect();
        client.AwaitAcknowledgement(TimeSpan.FromSeconds(30));
        Volatile.Write(ref client.Replies.Segment.Header->Head, 4);

        // An answer takes at least 24 bytes of the ring (header, envelope): this many cannot all fit. The requests are
        // zeroes of the service's request size (a request its handler can read).
        var message = new byte[HandMadeClient.RequestSize(HandMadeClient.ServiceSchemaOf(args[0], args[1]))];
        // Its request ring is as small as its response ring: the server, which reads the requests as they come, finds the
        // response ring broken part of the way through and lets go of this client, after which nobody reads the rest.
        try
        {
            for (long i = 1; i <= Capacity / 24 + 8; i++)
            {
                client.SendRequest(i << 20, message);
            }
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
        }

        Console.WriteLine("sent");
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }
}
