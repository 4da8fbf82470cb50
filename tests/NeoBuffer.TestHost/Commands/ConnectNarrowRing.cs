using System;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Threading;
using NeoBuffer.Requests;
using NeoBuffer.Testing;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>connect-narrow-ring DIRECTORY NAME MAX [ask]</c>: connects to the server NAME with a response ring of its own
/// whose longest message is MAX bytes (a client's ring takes about half its capacity), and prints <c>sent</c> once its
/// connect record is written. With <c>ask</c> it first waits to be acknowledged, sends one request 8 bytes long (no
/// request message is), waits for the failure the server sends back, and prints <c>failed N</c> (N: the bytes of its
/// reason). Then it stays until its parent kills it or goes away.
/// </summary>
internal sealed class ConnectNarrowRing : IHostCommand
{
    public string Name => "connect-narrow-ring";

    public int Run(string[] args)
    {
        ParentWatch.Start();
        int max = int.Parse(args[2], CultureInfo.InvariantCulture);
        using HandMadeClient client = HandMadeClient.Create(args[0], args[1], 4096, maxMessageSize: max);
        client.SendConnect();
        if (args.Length > 3 && args[3] == "ask")
        {
            client.AwaitAcknowledgement(TimeSpan.FromSeconds(30));
            client.SendRequest(1L << 20, new byte[8]);
            Console.WriteLine($"failed {AwaitFailure(client.Replies, TimeSpan.FromSeconds(30))}");
        }

        Console.WriteLine("sent");
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }

    // The length of the reason of the first failure in the ring.
    private static int AwaitFailure(SharedChannelReader replies, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            replies.WaitToRead(deadline - DateTime.UtcNow);
            while (replies.TryLease(out ReadLease lease))
            {
                using (lease)
                {
                    if (MemoryMarshal.Read<ResponseEnvelope>(lease.Payload).Status == ResponseStatus.Failed)
                    {
                        return lease.Length - ResponseEnvelope.Size;
                    }
                }
            }
        }
    }
}
