using System;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Requests;
using NeoBuffer.Testing;
using NeoBuffer.TestHost.Commands;
using NeoBuffer.TestHost.Messages;
using static NeoBuffer.Runtime.Tests.ManualServing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// <c>ServeAsync</c> hands each handler its request in place in the shared request ring and copies it out only for a
/// handler that has not finished when it returns. These pin what that must never change: a handler that goes async reads
/// its own bytes for as long as it runs, however many other requests reuse the ring space they came from; a handler's
/// code on another thread reads them too; a request kept past its handler is ended like any other; and serving in place
/// allocates nothing. The rings are small (4 KiB: some 60 requests a lap), so the space of a request parked in its
/// handler is reused many times over.
/// </summary>
public sealed class InPlaceRequestTests
{
    private const long RingBytes = 4096;
    private const int OtherRequests = 300;

    [Fact]
    public async Task A_handler_that_goes_async_reads_its_request_intact_after_other_clients_requests_reuse_its_ring_space()
    {
        using var channel = new TestChannel("ip");
        var parked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var served = new ServedAddServer(channel, RingBytes, async request =>
        {
            AddRequest asked = request.Message; // in place: the handler has not returned yet
            if (asked.A == 1000)
            {
                parked.SetResult();
                await resume.Task.ConfigureAwait(false); // the handler returns here, unfinished: its bytes are copied out

                // Other clients' requests have gone through the ring space this request was read from (and the ring
                // zeroed it after each): only a copy still holds 1000 and 7.
                AddRequest again = request.Message;
                await request.ReplyAsync(new AddResponse { Sum = again.A + again.B, ServerPid = again.DelayMs });
                return;
            }

            if (!request.TryReply(new AddResponse { Sum = asked.A + asked.B }))
            {
                await request.ReplyAsync(new AddResponse { Sum = asked.A + asked.B });
            }
        });
        using SharedClient<AddRequest, AddResponse> alice = await served.ConnectAsync();
        using SharedClient<AddRequest, AddResponse> bob = await served.ConnectAsync();

        Task<AddResponse> held = alice.RequestAsync(new AddRequest { A = 1000, B = 7, DelayMs = 42 }, Generous).AsTask();
        await parked.Task.WaitAsync(Generous);
        for (int i = 1; i <= OtherRequests; i++)
        {
            Assert.Equal(3L * i, (await bob.RequestAsync(new AddRequest { A = i, B = 2L * i }, Generous)).Sum);
        }

        Assert.False(held.IsCompleted);
        resume.SetResult();
        AddResponse answer = await held.WaitAsync(Generous);
        Assert.Equal(1007, answer.Sum);
        Assert.Equal(42, answer.ServerPid);
        Assert.Equal(0, served.Server.RefusedRecords);
    }

    [Fact]
    public async Task A_handler_reading_its_request_from_another_thread_while_it_runs_gets_the_requests_own_bytes()
    {
        // The handler's synchronous part waits (bounded) for a task on the pool that reads the request: the pool thread
        // is not the serving thread, so it reads a copy, made while the ring's record is still held. Then the handler
        // reads it again itself and answers with both, finishing synchronously.
        using var channel = new TestChannel("ip");
        await using var served = new ServedAddServer(channel, RingBytes, request =>
        {
            AddRequest elsewhere = Task.Run(() => request.Message).WaitAsync(Generous).GetAwaiter().GetResult();
            AddRequest here = request.Message;
            Assert.True(request.TryReply(new AddResponse { Sum = elsewhere.A + here.B, ServerPid = elsewhere.DelayMs }));
            return ValueTask.CompletedTask;
        });
        using SharedClient<AddRequest, AddResponse> client = await served.ConnectAsync();

        for (int i = 1; i <= OtherRequests / 10; i++)
        {
            AddResponse answer = await client.RequestAsync(new AddRequest { A = i, B = 100L * i, DelayMs = i }, Generous);
            Assert.Equal(101L * i, answer.Sum);
            Assert.Equal(i, answer.ServerPid);
        }
    }

    [Fact]
    public async Task A_request_kept_past_its_synchronous_handler_throws_on_every_use_while_the_next_request_reads_its_own_bytes()
    {
        // Request 1's handler keeps its handle and returns at once (it ended, and its ring space is let go of). Request 2's
        // handler, running in place where request 1 may have been, tries the kept handle every way before it answers.
        using var channel = new TestChannel("ip");
        IncomingRequest<AddRequest, AddResponse> kept = default;
        var failures = 0;
        await using var served = new ServedAddServer(channel, RingBytes, request =>
        {
            if (request.Message.A == 1)
            {
                kept = request;
                return ValueTask.CompletedTask;
            }

            failures += Fails(() => _ = kept.Payload.Length) + Fails(() => _ = kept.Message) + Fails(() => kept.TryReply(new AddResponse { Sum = -1 }));
            failures += Fails(() => Task.Run(() => kept.Message).WaitAsync(Generous).GetAwaiter().GetResult());
            Assert.True(request.TryReply(new AddResponse { Sum = request.Message.A + request.Message.B }));
            return ValueTask.CompletedTask;
        });
        using SharedClient<AddRequest, AddResponse> client = await served.ConnectAsync();

        RequestFailedException ended = await Assert.ThrowsAsync<RequestFailedException>(() => client.RequestAsync(new AddRequest { A = 1 }, Generous).AsTask());
        Assert.Contains("without a reply", ended.Message);
        Assert.Equal(7, (await client.RequestAsync(new AddRequest { A = 2, B = 5 }, Generous)).Sum);
        Assert.Equal(4, failures);
    }

    [Fact]
    public async Task Serving_requests_in_place_allocates_nothing_per_request()
    {
        using var channel = new TestChannel("ip");
        using var serving = new CancellationTokenSource();
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16));
        using SharedClient<AddRequest, AddResponse> client = await ConnectAsync(server, channel);

        // The requests are all in the ring before serving starts, written as the client writes them, so one drain of
        // the ring on one thread calls every handler: the bytes that thread allocated between two handler calls are
        // what one request cost (read, handed out, answered, ended).
        const int Requests = 64;
        for (int i = 1; i <= Requests; i++)
        {
            var envelope = new RequestEnvelope { CorrelationId = i, ClientId = client.ClientId, Kind = RequestKind.Request, Token = client.Token };
            var add = new AddRequest { A = i, B = i };
            ForgedRecords.Write(client.RequestRing, in envelope, MemoryMarshal.AsBytes(new ReadOnlySpan<AddRequest>(in add)));
        }

        var allocated = new long[Requests];
        var threads = new int[Requests];
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int handled = 0;
        Task serve = Task.Run(() => server.ServeAsync(request =>
        {
            allocated[handled] = GC.GetAllocatedBytesForCurrentThread();
            threads[handled] = Environment.CurrentManagedThreadId;
            AddRequest asked = request.Message;
            if (!request.TryReply(new AddResponse { Sum = asked.A + asked.B }) || ++handled == Requests)
            {
                done.TrySetResult();
            }

            return ValueTask.CompletedTask;
        }, serving.Token));
        await done.Task.WaitAsync(Generous);
        serving.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => serve.WaitAsync(Generous));
        Assert.Equal(Requests, handled);
        Assert.All(threads, thread => Assert.Equal(threads[0], thread));

        // The first requests warm up (the pooled storage is created once); after them, most requests allocate nothing
        // (a rare window may catch a runtime allocation that is not the request's).
        long[] perRequest = Enumerable.Range(Requests / 2, Requests / 2 - 1).Select(i => allocated[i + 1] - allocated[i]).ToArray();
        Assert.True(perRequest.Count(bytes => bytes == 0) > perRequest.Length / 2, ThreadAllocations.Describe(perRequest, "one request served in place"));
    }

    [Fact]
    public async Task The_serving_thread_lets_go_of_a_request_only_once_a_copy_of_its_bytes_begun_on_another_thread_has_ended()
    {
        using var channel = new TestChannel("ip");
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16));
        var storage = new PooledRequest<AddRequest, AddResponse>(server);
        byte[] ring = GC.AllocateArray<byte>(System.Runtime.CompilerServices.Unsafe.SizeOf<AddRequest>(), pinned: true); // stands for the leased record
        MemoryMarshal.Write(ring, new AddRequest { A = 7, B = 35 });
        long generation = storage.StartInPlace(null!, correlationId: 1, ring); // this thread is the serving one

        // Another thread reads the request and is held right after it won the copy, before it copied a byte.
        using var copying = new ManualResetEventSlim();
        using var leaverWaits = new ManualResetEventSlim();
        Task<AddRequest> reader = Task.Factory.StartNew(() =>
        {
            using (Ring.ProtocolPoint.OnThisThread(point =>
            {
                if (point == Ring.ProtocolPoint.RequestCopyingOut)
                {
                    copying.Set();
                    Assert.True(leaverWaits.Wait(Generous), "The serving thread let go of the request without waiting for the copy in progress.");
                }
            }))
            {
                return MemoryMarshal.Read<AddRequest>(storage.Payload(generation));
            }
        }, TaskCreationOptions.LongRunning);
        Assert.True(copying.Wait(Generous));

        // The handler returned (finished): the serving thread lets go of the request, and must wait for that copy.
        using (Ring.ProtocolPoint.OnThisThread(point =>
        {
            if (point == Ring.ProtocolPoint.RequestLeaveWaiting)
            {
                leaverWaits.Set();
            }
        }))
        {
            storage.LeaveRing(keep: false);
        }

        // The lease ends here: the ring space goes to another request. The copy was made before, from the original.
        ring.AsSpan().Fill(0xEE);
        AddRequest read = await reader.WaitAsync(Generous);
        Assert.Equal(7, read.A);
        Assert.Equal(35, read.B);
    }

    [Fact]
    public async Task A_read_on_another_thread_that_the_serving_thread_let_go_of_uncopied_under_it_throws_instead_of_returning_other_bytes()
    {
        using var channel = new TestChannel("ip");
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16));
        var storage = new PooledRequest<AddRequest, AddResponse>(server);
        byte[] ring = GC.AllocateArray<byte>(System.Runtime.CompilerServices.Unsafe.SizeOf<AddRequest>(), pinned: true);
        MemoryMarshal.Write(ring, new AddRequest { A = 7, B = 35 });
        long generation = storage.StartInPlace(null!, correlationId: 1, ring);

        // The handler finished and the serving thread let go of the bytes; the end that follows has not run yet. A copy
        // of the handle read on another thread right then (its generation check passed) has no bytes to read.
        storage.LeaveRing(keep: false);
        Exception? read = await Task.Run(() => Record.Exception(() => storage.Payload(generation).Length));
        InvalidOperationException ended = Assert.IsType<InvalidOperationException>(read);
        Assert.Contains("has ended", ended.Message);
    }

    private static int Fails(Action use)
    {
        try
        {
            use();
            return 0;
        }
        catch (InvalidOperationException e) when (e.Message.Contains("has ended", StringComparison.Ordinal))
        {
            return 1;
        }
    }
}
