using System;
using System.Diagnostics;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Format;
using NeoBuffer.Testing;
using NeoBuffer.TestHost.Messages;
using NeoBuffer.Waiting;
using static NeoBuffer.Runtime.Tests.ManualServing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// What an adversarial review of the per-client request rings found, each pinned (each failed before its fix): a client
/// owns its request ring and a writer row of the service ring, and nothing it does there may end the server, make it
/// spin, or keep it from the other clients.
/// </summary>
public sealed class ClientRequestRingTests
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(10);

    // A client owns its request ring: an impossible record header written there while the server is parked is found by
    // the wait's condition (RequestWaiting.IsSatisfied -> HasMessage -> CheckRecord). It used to escape the wait and
    // end the serving loop with ChannelCorruptedException; now the loop's read finds it and lets go of that client.
    [Fact]
    public async Task A_client_that_breaks_its_request_ring_while_the_server_is_parked_is_let_go_of_and_the_others_are_served()
    {
        using var channel = new TestChannel("rr");
        SharedChannelOptions options = channel.Options(1 << 16);
        options.SpinCount = 0;
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, options);
        using var serving = new CancellationTokenSource();
        Task serve = Task.Run(() => server.ServeAsync(AddAnswer.Answer, serving.Token));
        using SharedClient<AddRequest, AddResponse> honest = await SharedChannel.ConnectAsync<AddRequest, AddResponse>(channel.Name, options, Generous);
        using SharedClient<AddRequest, AddResponse> hostile = await SharedChannel.ConnectAsync<AddRequest, AddResponse>(channel.Name, options, Generous);
        Assert.Equal(5, (await honest.RequestAsync(new AddRequest { A = 2, B = 3 }, Generous)).Sum);

        nint word = server.ServiceRing.WakeWord;
        await Poll.UntilAsync(() => (WordAt(word) & 1) != 0, Generous, "the server parked");

        // The hostile client's request ring is empty: its next record is at position 0. Type 7 is no record type.
        nint data = DataOf(hostile);
        Store(data, RecordHeader.Word(7, 16));
        RingWait.WakeWord(word);

        // The server lets go of the hostile client (or, before the fix, its serving loop ended).
        await Poll.UntilAsync(() => serve.IsCompleted || server.ClientCount == 1, Generous, "the hostile client let go of");
        Assert.False(serve.IsCompleted, $"The serving loop ended: {serve.Exception?.GetBaseException()}");
        Assert.Equal(9, (await honest.RequestAsync(new AddRequest { A = 4, B = 5 }, Short)).Sum);
        serving.Cancel();
    }

    // A record header that a client commits and takes back (it owns the ring) makes the wait's condition true and its
    // re-check false. That used to be reported as "the service ring was completed", ending ReadAllAsync and ServeAsync.
    [Fact]
    public async Task A_record_that_appears_and_vanishes_in_a_clients_ring_is_a_wake_not_the_end()
    {
        using var channel = new TestChannel("rr");
        SharedChannelOptions options = channel.Options(1 << 16);
        options.SpinCount = 0;
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, options);
        using SharedClient<AddRequest, AddResponse> hostile = await ConnectAsync(server, channel);

        nint data = DataOf(hostile);
        nint word = server.ServiceRing.WakeWord;
        long valid = RecordHeader.Word(RecordHeader.TypeMessage, RecordHeader.Size + 32);
        bool stop = false;
        var toggler = new Thread(() =>
        {
            while (!Volatile.Read(ref stop))
            {
                Store(data, valid);
                RingWait.WakeWord(word);
                Thread.SpinWait(20);
                Store(data, 0);
                Thread.SpinWait(200);
            }
        }) { IsBackground = true };
        toggler.Start();
        try
        {
            var clock = Stopwatch.StartNew();
            int trueCount = 0;
            while (clock.Elapsed < TimeSpan.FromSeconds(3))
            {
                // The test never reads (TryRead), so the record stays at position 0 for the toggler to flip.
                using var bound = new CancellationTokenSource(Generous);
                bool more = await server.WaitToReadAsync(bound.Token);
                Assert.True(more, $"WaitToReadAsync reported the end of a server nobody completed, after {trueCount} waits");
                trueCount++;
            }
        }
        finally
        {
            Volatile.Write(ref stop, true);
            toggler.Join();
            Store(data, 0);
        }
    }

    // A client the server marked gone (its response ring found broken while replying: ServerClient.TryClaim) used to
    // stay in the wait's condition: with a request waiting in its ring, every wait returned at once and every read found
    // nothing, until the next client check (up to 1 s), a busy loop. Now the wait skips it and the next read drops it.
    [Fact]
    public async Task A_client_marked_gone_with_a_request_in_its_ring_does_not_make_the_server_spin()
    {
        using var channel = new TestChannel("rr");
        SharedChannelOptions options = channel.Options(1 << 16);
        options.SpinCount = 0;
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, options);
        using SharedClient<AddRequest, AddResponse> client = await ConnectAsync(server, channel);

        // As TryClaim does when the client's response ring throws: gone, not yet dropped.
        Assert.Single(server.Serving).MarkFoundBroken();
        // Pretend the last client check was just now, as after a quiet second.
        typeof(SharedServer<AddRequest, AddResponse>).GetField("_lastClientCheck", BindingFlags.NonPublic | BindingFlags.Instance)!.SetValue(server, Environment.TickCount64);

        Task<AddResponse> unanswered = client.RequestAsync(new AddRequest { A = 1, B = 1 }, TimeSpan.FromSeconds(5)).AsTask();
        await Poll.UntilAsync(() => client.RequestRing.Segment is not null && HasRecord(client), Generous, "the request in the client's ring");

        // Its waits park (they would return at once, again and again, while its request is in the ring)...
        int returned = 0;
        var clock = Stopwatch.StartNew();
        while (clock.ElapsedMilliseconds < 300)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
            try
            {
                await server.WaitToReadAsync(cts.Token);
                returned++;
            }
            catch (OperationCanceledException)
            {
            }
        }

        Assert.True(returned < 5, $"{returned} waits in 300 ms returned with nothing to read: the server spins");

        // ...and its next read lets go of the client, unanswered.
        Assert.False(server.TryRead(out _));
        Assert.Equal(0, server.ClientCount);
        await Assert.ThrowsAnyAsync<Exception>(() => unanswered);
    }

    private static unsafe bool HasRecord(SharedClient<AddRequest, AddResponse> client) => Volatile.Read(ref *(long*)client.RequestRing.Segment.Data) != 0;

    // The service ring used to be drained to empty before any client's ring was looked at, so a writer of the service
    // ring (any client holds one) that kept it non-empty starved every client: each junk connect record costs the server
    // an open() that fails and a probe of every client. Now at most 8 of them come between two rounds of the clients.
    [Fact]
    public async Task A_writer_flooding_the_service_ring_does_not_starve_the_clients_rings()
    {
        using var channel = new TestChannel("rr");
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16));
        using SharedClient<AddRequest, AddResponse> honest = await ConnectAsync(server, channel);

        using SharedChannelWriter flood = SharedChannel.OpenWriter(channel.Name, channel.Options(1 << 16), NeoBuffer.Requests.ServiceSchema<AddRequest, AddResponse>.Layout);
        byte[] body = System.Text.Encoding.UTF8.GetBytes(channel.Name + ".reply-nobody");
        var connect = new NeoBuffer.Requests.RequestEnvelope { Kind = NeoBuffer.Requests.RequestKind.Connect, Token = 42 };
        for (int i = 0; i < 100; i++)
        {
            NeoBuffer.TestHost.Commands.ForgedRecords.Write(flood, in connect, body);
        }

        Task<AddResponse> asked = honest.RequestAsync(new AddRequest { A = 4, B = 5 }, Generous).AsTask();
        using (IncomingRequest<AddRequest, AddResponse> request = await ReadOneAsync(server))
        {
            Assert.Equal(4, request.Message.A);
            Assert.True(server.RefusedConnections <= 8, $"{server.RefusedConnections} junk connect records were acted on before the client's request");
            Assert.True(request.TryReply(new AddResponse { Sum = 9 }));
        }

        Assert.Equal(9, (await asked).Sum);
    }

    // A client fills its own ring with records the server refuses (another token here); another client's request comes
    // after at most RecordsPerTurn (8) of them in the server's round, not after the whole ring's worth.
    [Fact]
    public async Task A_client_filling_its_ring_with_refused_records_holds_back_another_clients_request_by_at_most_eight()
    {
        using var channel = new TestChannel("rr");
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16));
        using SharedClient<AddRequest, AddResponse> flooding = await ConnectAsync(server, channel);
        using SharedClient<AddRequest, AddResponse> honest = await ConnectAsync(server, channel);

        var junk = new NeoBuffer.Requests.RequestEnvelope { CorrelationId = 1, ClientId = flooding.ClientId, Kind = NeoBuffer.Requests.RequestKind.Request, Token = flooding.Token ^ 1 };
        var add = new AddRequest { A = 1, B = 1 };
        for (int i = 0; i < 100; i++)
        {
            NeoBuffer.TestHost.Commands.ForgedRecords.Write(flooding.RequestRing, in junk, System.Runtime.InteropServices.MemoryMarshal.AsBytes(new ReadOnlySpan<AddRequest>(in add)));
        }

        Task<AddResponse> asked = honest.RequestAsync(new AddRequest { A = 2, B = 3 }, Generous).AsTask();
        using (IncomingRequest<AddRequest, AddResponse> request = await ReadOneAsync(server))
        {
            Assert.Equal(2, request.Message.A);
            Assert.True(server.RefusedRecords <= 8, $"{server.RefusedRecords} refused records were read before the other client's request");
            Assert.True(request.TryReply(new AddResponse { Sum = 5 }));
        }

        Assert.Equal(5, (await asked).Sum);
    }

    private static unsafe int WordAt(nint word) => Volatile.Read(ref *(int*)word);

    private static unsafe void Store(nint address, long value) => Volatile.Write(ref *(long*)address, value);

    private static unsafe nint DataOf(SharedClient<AddRequest, AddResponse> client) => (nint)client.RequestRing.Segment.Data;
}
