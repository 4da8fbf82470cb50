using System;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using NeoBuffer.Requests;
using NeoBuffer.Testing;
using NeoBuffer.TestHost.Messages;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>flooding-server DIRECTORY NAME</c>: a hostile "server" of the add service: creates the request ring as a server
/// does, prints <c>ready</c>, and for the first connect record opens the client's response ring as a server does, but
/// never acknowledges: it writes records no server writes (an envelope with a status no server sends) into that ring
/// as fast as it can, for ever, until its parent kills it or goes away.
/// </summary>
internal sealed class FloodingServer : IHostCommand
{
    public string Name => "flooding-server";

    public int Run(string[] args)
    {
        ParentWatch.Start();
        var options = new SharedChannelOptions { Directory = args[0], Capacity = 1 << 16, Topology = ChannelTopology.MultiProducerSingleConsumer };
        using SharedChannelReader requests = SharedChannel.CreateReader(args[1], options, ServiceSchema<AddRequest, AddResponse>.Layout);
        Console.WriteLine("ready");
        string replyName;
        while (true)
        {
            requests.WaitToRead(TimeSpan.FromMinutes(2));
            if (requests.TryLease(out ReadLease lease))
            {
                using (lease)
                {
                    replyName = Encoding.UTF8.GetString(lease.Payload.Slice(RequestEnvelope.Size));
                    break;
                }
            }
        }

        using SharedDuplexChannel client = SharedDuplexChannel.Open(replyName, new SharedChannelOptions { Directory = args[0] }, ServiceSchema<AddRequest, AddResponse>.Layout, ServiceSchema<AddRequest, AddResponse>.Layout);
        SharedChannelWriter replies = client.Writer;
        var garbage = new ResponseEnvelope { CorrelationId = 1, Status = 7 };
        while (true)
        {
            if (replies.TryClaim(ResponseEnvelope.Size, out WriteClaim claim))
            {
                MemoryMarshal.Write(claim.Payload, in garbage);
                claim.Commit();
            }
            else
            {
                Thread.SpinWait(20);
            }
        }
    }
}
