using System;
using System.Threading.Tasks;
using NeoBuffer.Ring;
using NeoBuffer.Testing;
using NeoBuffer.TestHost.Messages;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// A client dropped by a read on another thread just as the server's wait takes hold of the clients' request rings:
/// the wait must still see a request waiting in the ring of a client listed after the dropped one.
/// </summary>
public sealed class ServerWaitDropTests
{
    [Fact]
    public async Task A_request_behind_a_client_dropped_as_the_wait_holds_the_rings_ends_the_wait_at_once()
    {
        using var channel = new TestChannel("rr");
        SharedChannelOptions options = channel.Options(1 << 16);
        options.SpinCount = 0; // the wait looks once, then parks: no spin to hide a missed ring behind
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, options);
        SharedClient<AddRequest, AddResponse> leaving = await ManualServing.ConnectAsync(server, channel);
        using SharedClient<AddRequest, AddResponse> staying = await ManualServing.ConnectAsync(server, channel);
        Assert.Equal(2, server.Serving.Length); // the leaving client first, the staying one after it

        // The wait has read the list of both clients; before it holds their rings, a read (here on the same thread, as
        // any other thread's would be) takes the leaving client's disconnect and drops it, and the staying client sends.
        leaving.Dispose();
        ValueTask<AddResponse> pending = default;
        int hits = 0;
        ValueTask<bool> waiting;
        using (ProtocolPoint.OnThisThread(name =>
        {
            if (name == ProtocolPoint.ServerHoldingRings && hits++ == 0)
            {
                Assert.False(server.TryRead(out IncomingRequest<AddRequest, AddResponse> _)); // the disconnect: nothing to serve
                Assert.Single(server.Serving);
                pending = staying.RequestAsync(new AddRequest { A = 1, B = 2 }, ManualServing.Generous);
            }
        }))
        {
            waiting = server.WaitToReadAsync();
        }

        Assert.True(hits >= 1);
        Assert.True(waiting.IsCompleted, "the wait parked with a request waiting in the staying client's ring");
        Assert.True(await waiting);

        IncomingRequest<AddRequest, AddResponse> request = await ManualServing.ReadOneAsync(server);
        using (request)
        {
            Assert.True(request.TryReply(new AddResponse { Sum = request.Message.A + request.Message.B }));
        }

        Assert.Equal(3, (await pending).Sum);
    }
}
