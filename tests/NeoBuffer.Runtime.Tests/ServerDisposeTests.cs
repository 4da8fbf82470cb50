using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Ring;
using NeoBuffer.Testing;
using NeoBuffer.TestHost.Messages;
using static NeoBuffer.Runtime.Tests.ManualServing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// A second review of the server's Dispose against reads in progress, each pinned (each failed before its fix): Dispose
/// never throws, always lets go of the rings once no read is in progress, ends a serving loop that a flooded ring keeps
/// busy, and acknowledges no client after it.
/// </summary>
public sealed class ServerDisposeTests
{
    // A reply found the client's response ring broken (TryClaim: _gone = true), and Exit disposed the writer. The
    // client is still in _serving until the next read/check. Dispose then calls MarkGone(reason) -> Writer.TryComplete
    // on a disposed writer -> ObjectDisposedException out of Dispose, before ReleaseRings.
    [Fact]
    public async Task Dispose_after_a_reply_found_a_client_gone_does_not_throw()
    {
        using var channel = new TestChannel("rr");
        (SharedServer<AddRequest, AddResponse> server, SharedClient<AddRequest, AddResponse> connected, NeoBuffer.Requests.ServerClient served) = await ServerWithOneClientAsync(channel);
        using SharedClient<AddRequest, AddResponse> client = connected;
        Assert.True(served.TryEnter());
        served.MarkFoundBroken(); // as a reply that finds the ring broken does (TryClaim)
        served.Exit(); // disposes the writer
        Exception? thrown = Record.Exception(() => server.Dispose());
        Assert.Null(thrown);
    }

    // An idle check for dead clients probes each client's response ring (DropDeadClients -> IsServable) inside a read.
    // A Dispose on another thread meanwhile must leave every client to that read's end: marking a client gone may
    // dispose its response writer, whose probe then read unmapped memory (the AccessViolation that crashed a CI run's
    // test host, fixed by marking clients in ReleaseRings only).
    [Fact]
    public async Task Dispose_during_the_idle_check_of_clients_leaves_them_to_its_end()
    {
        using var channel = new TestChannel("rr");
        (SharedServer<AddRequest, AddResponse> server, SharedClient<AddRequest, AddResponse> connected, NeoBuffer.Requests.ServerClient served) = await ServerWithOneClientAsync(channel);
        using SharedClient<AddRequest, AddResponse> client = connected;
        using var atProbe = new ManualResetEventSlim();
        using var disposed = new ManualResetEventSlim();
        Exception? checkFailure = null;
        var checker = new Thread(() =>
        {
            using IDisposable hook = ProtocolPoint.OnThisThread(point =>
            {
                if (point == ProtocolPoint.ServerCheckingClients && !atProbe.IsSet)
                {
                    atProbe.Set();
                    disposed.Wait(Generous);
                }
            });
            checkFailure = Record.Exception(server.CheckClientsWhileIdle);
        });
        checker.IsBackground = true;
        checker.Start();
        bool goneAtDispose;
        bool checkEnded;
        try
        {
            Assert.True(atProbe.Wait(Generous), "the idle check reached its probe");
            server.Dispose();
            goneAtDispose = served.IsGone;
        }
        finally
        {
            disposed.Set();
            checkEnded = checker.Join(Generous); // asserted below, so a failure above is the one reported
        }

        Assert.True(checkEnded, "the idle check ended once let go");
        Assert.False(goneAtDispose, "Dispose marked a client gone while the idle check was about to probe it");
        Assert.Null(checkFailure);
        Assert.True(served.IsGone, "the check's end, the last read out, closes every client");
        await Assert.ThrowsAsync<System.Threading.Channels.ChannelClosedException>(async () => await client.RequestAsync(new AddRequest { A = 1, B = 2 }, Generous));
    }

    // The handler disposes the server while another client's connect record waits in the service ring: the serving
    // loop, still inside its read, accepts that client after Dispose (acknowledges it Connected), never marks it gone,
    // and ReleaseRings never lets go of its response writer.
    [Fact]
    public async Task A_connect_read_after_Dispose_is_not_acknowledged()
    {
        using var channel = new TestChannel("rr");
        SharedChannelOptions options = channel.Options(1 << 16);
        var server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, options);
        using SharedClient<AddRequest, AddResponse> first = await ConnectAsync(server, channel);
        SharedChannelReader requests = server.ServiceRing;
        Task<SharedClient<AddRequest, AddResponse>>? second = null;
        Task serve = Task.Run(() => server.ServeAsync(request =>
        {
            second = SharedChannel.ConnectAsync<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16), TimeSpan.FromSeconds(5)).AsTask();
            var clock = Stopwatch.StartNew();
            while (!requests.HasMessage && clock.ElapsedMilliseconds < 5000) Thread.Sleep(1);
            Assert.True(requests.HasMessage, "connect record queued");
            server.Dispose();
            request.TryReply(new AddResponse { Sum = 1 });
            return ValueTask.CompletedTask;
        }));
        await Record.ExceptionAsync(async () => await first.RequestAsync(new AddRequest { A = 1, B = 1 }, Generous));
        await Record.ExceptionAsync(() => serve.WaitAsync(Generous)); // ends, one way or another, once disposed
        Exception? connectEnd = await Record.ExceptionAsync(() => second!);
        if (connectEnd is null)
        {
            using SharedClient<AddRequest, AddResponse> late = await second!;
            var clock2 = Stopwatch.StartNew();
            Exception? req = await Record.ExceptionAsync(async () => await late.RequestAsync(new AddRequest { A = 1, B = 1 }, TimeSpan.FromSeconds(3)));
            Assert.Fail($"a client was acknowledged Connected (id {late.ClientId}) by a server already disposed; its request then ended after {clock2.ElapsedMilliseconds} ms with {req?.GetType().Name}: {req?.Message}");
        }
    }

    // A writer of the service ring (any client holds one) that keeps it non-empty keeps ServeWaiting in its read
    // (TryLeaseRequest loops while serviceRingBusy, never looking at Dispose or the token): Dispose is deferred to the
    // last reader out, which never comes, so ServeAsync never ends and the rings are never let go of.
    [Fact]
    public async Task Dispose_ends_ServeAsync_while_the_service_ring_is_flooded()
    {
        using var channel = new TestChannel("rr");
        SharedChannelOptions options = channel.Options(1 << 16);
        var server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, options);
        using var cts = new CancellationTokenSource();
        Task serve = Task.Run(() => server.ServeAsync(r => { r.TryReply(new AddResponse { Sum = r.Message.A + r.Message.B }); return ValueTask.CompletedTask; }, cts.Token));
        using SharedClient<AddRequest, AddResponse> honest = await SharedChannel.ConnectAsync<AddRequest, AddResponse>(channel.Name, options, Generous);
        Assert.Equal(2, (await honest.RequestAsync(new AddRequest { A = 1, B = 1 }, Generous)).Sum);
        var flood = SharedChannel.OpenWriter(channel.Name, channel.Options(1 << 16), NeoBuffer.Requests.ServiceSchema<AddRequest, AddResponse>.Layout);
        byte[] body = System.Text.Encoding.UTF8.GetBytes(channel.Name + ".reply-nobody");
        var connect = new NeoBuffer.Requests.RequestEnvelope { Kind = NeoBuffer.Requests.RequestKind.Connect, Token = 42 };
        bool stop = false;
        long written = 0;
        var flooder = new Thread(() =>
        {
            try { while (!Volatile.Read(ref stop)) { NeoBuffer.TestHost.Commands.ForgedRecords.Write(flood, in connect, body); written++; } }
            catch (Exception) { }
        });
        flooder.Start();
        await Poll.UntilAsync(() => server.RefusedConnections > 1000, Generous, "the serving loop busy with junk connects");
        long refusedBefore = server.RefusedConnections;
        cts.Cancel();
        server.Dispose();
        Task done = await Task.WhenAny(serve, Task.Delay(3000));
        long refusedAfter = server.RefusedConnections;
        Volatile.Write(ref stop, true);
        flooder.Join();
        flood.Dispose();
        Assert.True(done == serve, $"ServeAsync still running 3 s after Dispose and cancel; {refusedAfter - refusedBefore} junk connects acted on meanwhile, {written} written");
    }

    // A server (left to the test to dispose) with one client connected, and the server's side of that client.
    private static async Task<(SharedServer<AddRequest, AddResponse> Server, SharedClient<AddRequest, AddResponse> Client, NeoBuffer.Requests.ServerClient Served)> ServerWithOneClientAsync(TestChannel channel)
    {
        var server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16));
        SharedClient<AddRequest, AddResponse> client = await ConnectAsync(server, channel);
        return (server, client, Assert.Single(server.Serving));
    }
}
