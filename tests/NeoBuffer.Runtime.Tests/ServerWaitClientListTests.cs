using System;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Ring;
using NeoBuffer.Testing;
using NeoBuffer.TestHost.Messages;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// Reading is for one thread at a time, but a caller may break that rule: a read on another thread changes the server's
/// list of clients while a wait holds the list it read. A request of a client the wait's list misses (one listed after
/// a client dropped as the wait took hold of the rings, or one accepted after) must still end the wait at once, not at
/// the next idle check a second later. Constructed on one thread: the read runs at the wait's protocol point.
/// </summary>
public sealed class ServerWaitClientListTests
{
    [Fact]
    public async Task A_request_behind_a_client_dropped_as_the_wait_holds_the_rings_ends_the_wait_at_once()
    {
        using var channel = new TestChannel("rr");
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, NoSpin(channel));
        SharedClient<AddRequest, AddResponse> leaving = await ManualServing.ConnectAsync(server, channel);
        using SharedClient<AddRequest, AddResponse> staying = await ManualServing.ConnectAsync(server, channel);
        Assert.Equal(2, server.Serving.Length); // the leaving client first, the staying one after it

        // A read takes the leaving client's disconnect and drops it, and the staying client sends.
        leaving.Dispose();
        ValueTask<AddResponse> pending = default;
        ValueTask<bool> waiting = WaitWithChangeAtHold(server, () =>
        {
            Assert.False(server.TryRead(out IncomingRequest<AddRequest, AddResponse> _)); // the disconnect: nothing to serve
            Assert.Single(server.Serving);
            pending = staying.RequestAsync(new AddRequest { A = 1, B = 2 }, ManualServing.Generous);
        });

        Assert.True(waiting.IsCompleted, "the wait parked with a request waiting in the staying client's ring");
        Assert.True(await waiting);
        await AnswerOneAsync(server);
        Assert.Equal(3, (await pending).Sum);
    }

    [Fact]
    public async Task A_request_of_a_client_accepted_after_the_wait_read_its_list_ends_the_wait_at_once()
    {
        using var channel = new TestChannel("rr");
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, NoSpin(channel));
        using SharedClient<AddRequest, AddResponse> first = await ManualServing.ConnectAsync(server, channel);

        // A read accepts a second client, which sends.
        SharedClient<AddRequest, AddResponse>? second = null;
        ValueTask<AddResponse> pending = default;
        ValueTask<bool> waiting = WaitWithChangeAtHold(server, () =>
        {
            Task<SharedClient<AddRequest, AddResponse>> connecting = Task.Run(() => SharedChannel.ConnectAsync<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16), ManualServing.Generous).AsTask());
            using var deadline = new CancellationTokenSource(ManualServing.Generous);
            while (!connecting.IsCompleted)
            {
                deadline.Token.ThrowIfCancellationRequested();
                Assert.False(server.TryRead(out IncomingRequest<AddRequest, AddResponse> _)); // the connect record: nothing to serve
                Thread.Yield();
            }

            second = connecting.GetAwaiter().GetResult();
            Assert.Equal(2, server.Serving.Length);
            pending = second.RequestAsync(new AddRequest { A = 20, B = 22 }, ManualServing.Generous);
        });

        using SharedClient<AddRequest, AddResponse> accepted = second!;
        Assert.True(waiting.IsCompleted, "the wait parked with a request waiting in the accepted client's ring");
        Assert.True(await waiting);
        await AnswerOneAsync(server);
        Assert.Equal(42, (await pending).Sum);
    }

    /// <summary>The server's Dispose empties its list of clients too: a wait it ends throws, as it did before the list was looked at.</summary>
    [Fact]
    public async Task A_wait_ended_by_the_servers_dispose_throws_ObjectDisposedException()
    {
        using var channel = new TestChannel("rr");
        SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, NoSpin(channel));
        using SharedClient<AddRequest, AddResponse> client = await ManualServing.ConnectAsync(server, channel);

        ValueTask<bool> waiting = server.WaitToReadAsync();
        Assert.False(waiting.IsCompleted);
        server.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting.AsTask().WaitAsync(ManualServing.Generous));
    }

    // The wait looks once, then parks: no spin to hide a missed ring behind.
    private static SharedChannelOptions NoSpin(TestChannel channel)
    {
        SharedChannelOptions options = channel.Options(1 << 16);
        options.SpinCount = 0;
        return options;
    }

    // Starts a wait on this thread that runs change, once, where it has read the list of clients and holds no ring yet
    // (as a read on another thread would, here on the same thread).
    private static ValueTask<bool> WaitWithChangeAtHold(SharedServer<AddRequest, AddResponse> server, Action change)
    {
        bool changed = false;
        using (ProtocolPoint.OnThisThread(name =>
        {
            if (name == ProtocolPoint.ServerHoldingRings && !changed)
            {
                changed = true;
                change();
            }
        }))
        {
            ValueTask<bool> waiting = server.WaitToReadAsync();
            Assert.True(changed);
            return waiting;
        }
    }

    private static async Task AnswerOneAsync(SharedServer<AddRequest, AddResponse> server)
    {
        using IncomingRequest<AddRequest, AddResponse> request = await ManualServing.ReadOneAsync(server);
        Assert.True(request.TryReply(new AddResponse { Sum = request.Message.A + request.Message.B }));
    }
}
