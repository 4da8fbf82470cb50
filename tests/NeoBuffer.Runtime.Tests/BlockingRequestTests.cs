using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Requests;
using NeoBuffer.Ring;
using NeoBuffer.Testing;
using NeoBuffer.TestHost.Messages;
using NeoBuffer.Waiting;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// The blocking client calls (<c>Request</c>, <c>RequestLease</c>, <c>RequestClaim.Send</c>): each parks its own
/// thread, on the response ring's word while it reads the ring, else on the client's handoff word while another thread
/// does. The race windows (a reply, or the ring let go of, between a caller's last check and its sleep) are constructed
/// at <see cref="ProtocolPoint.WaitArming"/> on the caller's thread; the rest runs against a real server process.
/// </summary>
public sealed class BlockingRequestTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task A_reply_committed_as_the_reading_caller_arms_its_park_ends_the_wait_without_a_sleep()
    {
        using var channel = new TestChannel("rr");
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, NoSpin(channel));
        using SharedClient<AddRequest, AddResponse> client = await Connect(channel, server);

        // The caller has drained the empty ring and found its request unanswered; the server answers before it arms.
        int hits = 0;
        AddResponse response;
        using (ProtocolPoint.OnThisThread(name => AnswerAt(name, server, ref hits)))
        {
            response = client.Request(new AddRequest { A = 20, B = 22 }, TimeSpan.FromSeconds(30));
        }

        Assert.Equal(42, response.Sum);
        Assert.Equal(1, hits);
        Assert.Equal(0, client.BlockedSleeps); // the check after arming saw the reply: no futex sleep at all
    }

    [Fact]
    public async Task A_ring_let_go_of_as_a_waiting_caller_arms_its_park_is_taken_over_by_that_caller()
    {
        using var channel = new TestChannel("rr");
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, NoSpin(channel));
        using SharedClient<AddRequest, AddResponse> client = await Connect(channel, server);

        // Another caller's thread holds the ring: this caller waits for it on the handoff word. Just before it arms,
        // the server answers and the other thread lets go of the ring, waking nobody (nobody has armed yet).
        Assert.True(client.TryEnterReading());
        int hits = 0;
        AddResponse response;
        using (ProtocolPoint.OnThisThread(name =>
        {
            if (AnswerAt(name, server, ref hits))
            {
                client.ExitReading();
            }
        }))
        {
            // A caller that slept through the release would wait for a reader that never comes, until this timeout.
            response = client.Request(new AddRequest { A = 1, B = 2 }, TimeSpan.FromSeconds(5));
        }

        Assert.Equal(3, response.Sum);
        Assert.Equal(1, hits);
        Assert.Equal(0, client.BlockedSleeps);
    }

    [Fact]
    public async Task Blocking_and_async_callers_of_one_client_park_and_each_get_their_own_answers()
    {
        using var channel = new TestChannel("rr");
        using ChildProcess server = await StartServer(channel);
        using SharedClient<AddRequest, AddResponse> client = await ConnectParking(channel);

        const int PerCaller = 200;
        Task[] blocking = Enumerable.Range(0, 3).Select(caller => Task.Factory.StartNew(() =>
        {
            for (int i = 0; i < PerCaller; i++)
            {
                var request = new AddRequest { A = caller * 1_000_000 + i, B = 7, DelayMs = i % 4 == 0 ? 1 : 0 };
                Assert.Equal(request.A + 7, client.Request(request, Generous).Sum);
            }
        }, TaskCreationOptions.LongRunning)).ToArray();
        Task async = Task.Run(async () =>
        {
            for (int i = 0; i < PerCaller; i++)
            {
                var request = new AddRequest { A = -i, B = 5, DelayMs = i % 3 == 0 ? 1 : 0 };
                Assert.Equal(5 - i, (await client.RequestAsync(request, Generous)).Sum);
            }
        });

        await Task.WhenAll([.. blocking, async]).WaitAsync(Generous);
        Assert.True(client.BlockedSleeps > 0, "no blocking caller ever parked: the test did not exercise the parked paths");
        server.ThrowIfExited();
    }

    [Fact]
    public async Task A_blocked_request_ends_on_its_timeout_its_token_and_the_server_s_death()
    {
        using var channel = new TestChannel("rr");
        using ChildProcess server = await StartServer(channel);
        using SharedClient<AddRequest, AddResponse> client = await ConnectParking(channel);
        var never = new AddRequest { A = 1, DelayMs = -1 };

        TimeoutException timedOut = Assert.Throws<TimeoutException>(() => client.Request(never, TimeSpan.FromMilliseconds(50)));
        Assert.Contains("did not answer", timedOut.Message);

        using (var cancelling = new CancellationTokenSource(TimeSpan.FromMilliseconds(50)))
        {
            Assert.ThrowsAny<OperationCanceledException>(() => client.Request(never, Generous, cancelling.Token));
        }

        // Still usable: an answered request after the two that ended early.
        Assert.Equal(5, client.Request(new AddRequest { A = 2, B = 3 }, Generous).Sum);

        Task<Exception> dead = Task.Factory.StartNew(() => Record.Exception(() => client.Request(never, Generous)), TaskCreationOptions.LongRunning);
        server.Kill();
        Exception? error = await dead.WaitAsync(Generous);
        Assert.IsType<System.Threading.Channels.ChannelClosedException>(error);
        Assert.Contains("died", error!.Message);
    }

    [Fact]
    public async Task Disposing_the_client_ends_a_request_blocked_on_another_thread()
    {
        using var channel = new TestChannel("rr");
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, NoSpin(channel));
        SharedClient<AddRequest, AddResponse> client = await Connect(channel, server);

        Task<Exception> blocked = Task.Factory.StartNew(() => Record.Exception(() => client.Request(new AddRequest(), Generous)), TaskCreationOptions.LongRunning);
        using (var deadline = new CancellationTokenSource(Generous))
        {
            while (client.BlockedSleeps == 0)
            {
                await Task.Delay(1, deadline.Token); // a bounded poll for the caller to be asleep; the server never reads
            }
        }

        client.Dispose();
        Exception? error = await blocked.WaitAsync(Generous);
        Assert.IsType<ObjectDisposedException>(error);
    }

    /// <summary>
    /// An async request awaited under a context whose Post runs the callback at once, resolved along each path that
    /// resolves requests while holding the response ring (the async reader loop on the futex waiter thread, another
    /// thread's blocking read, the reader loop failing every request when the server closes): its continuation must run
    /// off that thread, so a blocking request and a Dispose of the client made there end. Run in a child process,
    /// which the test kills at the deadline: a continuation run on the ring's thread would wait for itself there.
    /// </summary>
    [Theory]
    [InlineData("reader-loop")]
    [InlineData("blocking-reader")]
    [InlineData("server-closed")]
    public async Task A_continuation_resumed_through_an_inline_context_never_runs_where_the_ring_is_held(string path)
    {
        using var channel = new TestChannel("ic");
        using ChildProcess child = ChildProcess.Start("inline-continuation", channel.Directory, channel.Name, path);
        int exitCode = await child.ExitCodeAsync(TimeSpan.FromSeconds(60));
        Assert.True(exitCode == 0, $"{path}: {child.Output}{child.ErrorOutput}");
        Assert.Equal("ok", child.LastLine);
    }

    [Fact]
    public async Task A_blocking_request_on_a_thread_that_delivers_responses_is_refused_before_anything_is_sent()
    {
        using var channel = new TestChannel("rr");
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, NoSpin(channel));
        using SharedClient<AddRequest, AddResponse> client = await Connect(channel, server);

        // A guard missing lets the request through: nobody serves it, so it ends on its timeout instead.
        Exception? error;
        ResponseDelivery.Enter();
        try
        {
            error = Record.Exception(() => client.Request(new AddRequest { A = 1 }, TimeSpan.FromSeconds(2)));
        }
        finally
        {
            ResponseDelivery.Exit();
        }

        Assert.Contains("delivers responses", Assert.IsType<InvalidOperationException>(error).Message);
        Assert.False(server.TryRead(out _));
        Assert.Equal(SharedClient<AddRequest, AddResponse>.MaxInFlight, client.FreeSlots);
    }

    [Fact]
    public async Task A_blocking_request_on_the_futex_waiter_thread_is_refused_before_anything_is_sent()
    {
        using var channel = new TestChannel("rr");
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, NoSpin(channel));
        using SharedClient<AddRequest, AddResponse> client = await Connect(channel, server);

        // A continuation the waiter thread runs itself (as the client's reader loop's): registered before the word
        // changes, so it cannot run on this thread instead.
        int[] word = GC.AllocateArray<int>(1, pinned: true);
        nint address = Address(word);
        Task<int> woken = FutexWaitEngine.Shared.WaitAnyAsync([(address, 0)], RingWait.DeadlineOf(Generous), CancellationToken.None, continueOnWaiterThread: true);
        Task<(bool OnWaiter, Exception? Error)> attempt = woken.ContinueWith(
            _ => (FutexWaitEngine.IsWaiterThread, (Exception?)Record.Exception(() => client.Request(new AddRequest { A = 1 }, TimeSpan.FromSeconds(2)))),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        RingWait.WakeWord(address);

        (bool onWaiter, Exception? error) = await attempt.WaitAsync(Generous);
        Assert.True(onWaiter, "the attempt did not run on the waiter thread: the test exercised nothing");
        Assert.Contains("delivers responses", Assert.IsType<InvalidOperationException>(error).Message);
        Assert.False(server.TryRead(out _));
        GC.KeepAlive(word);
    }

    /// <summary>
    /// A blocking wait that starts while another thread is delivering its response (the deliverer has won the request's
    /// id, its result not yet set) gets that response. It read the id back as Resolved and waited for it to change,
    /// which it never did: at its deadline it "timed out" the answered request, and the deliverer's result then hit an
    /// already completed request (a bare InvalidOperationException, seen once in CI).
    /// </summary>
    [Fact]
    public async Task A_blocking_wait_that_starts_while_its_response_is_being_delivered_gets_that_response()
    {
        using var channel = new TestChannel("rr");
        using ResolvingRace race = await ResolvingRace.StartAsync(channel);
        Task<long> waiter = Task.Factory.StartNew(() =>
        {
            using (ProtocolPoint.OnThisThread(point =>
            {
                if (point == ProtocolPoint.RequestWaiting)
                {
                    race.LetTheResolverOn(); // the waiter has read the id and spun
                }
            }))
            {
                PendingRequest<AddResponse> waited = race.Client.Wait(race.Slot, TimeSpan.FromSeconds(2), CancellationToken.None);
                return ((System.Threading.Tasks.Sources.IValueTaskSource<AddResponse>)waited).GetResult(race.Version).Sum;
            }
        }, TaskCreationOptions.LongRunning);

        Assert.True(await race.Resolver.WaitAsync(Generous));
        Assert.Equal(42L, await waiter.WaitAsync(Generous));
    }

    /// <summary>
    /// The async form of the same moment, with a token already cancelled: the await starts after a resolver won the id
    /// and gets the response. Parking for the Resolved id registered the cancellation, whose failure then "won" the
    /// request too, and the resolver's result hit a completed request on the resolver's own thread.
    /// </summary>
    [Fact]
    public async Task An_await_that_starts_while_its_response_is_being_delivered_gets_that_response_even_cancelled()
    {
        using var channel = new TestChannel("rr");
        using ResolvingRace race = await ResolvingRace.StartAsync(channel);
        var awaiting = new ValueTask<AddResponse>(race.Client.Await(race.Slot, Generous, new CancellationToken(canceled: true)), race.Version);
        race.LetTheResolverOn();

        Assert.True(await race.Resolver.WaitAsync(Generous));
        Assert.Equal(42L, (await awaiting.AsTask().WaitAsync(Generous)).Sum);
    }

    /// <summary>
    /// A request (40 + 2) in flight whose response (42) another thread is delivering, stopped at the moment between
    /// winning the request's id and setting its result (<see cref="ProtocolPoint.RequestResolving"/>) until
    /// <see cref="LetTheResolverOn"/>. The test's thread holds the client's response ring, as a blocking reader
    /// would, so a waiter can neither read the ring itself nor start a reader loop.
    /// </summary>
    private sealed class ResolvingRace : IDisposable
    {
        private readonly SharedServer<AddRequest, AddResponse> _server;
        private readonly ManualResetEventSlim _go = new();

        private ResolvingRace(SharedServer<AddRequest, AddResponse> server, SharedClient<AddRequest, AddResponse> client)
        {
            _server = server;
            Client = client;
        }

        public SharedClient<AddRequest, AddResponse> Client { get; }

        public PendingRequest<AddResponse> Slot { get; private set; } = null!;

        public short Version { get; private set; }

        /// <summary>The delivery: true once it has resolved the request.</summary>
        public Task<bool> Resolver { get; private set; } = Task.FromResult(false);

        public static async Task<ResolvingRace> StartAsync(TestChannel channel)
        {
            SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, NoSpin(channel));
            var race = new ResolvingRace(server, await Connect(channel, server));
            RequestClaim<AddRequest, AddResponse> claim = race.Client.ClaimRequest(System.Runtime.CompilerServices.Unsafe.SizeOf<AddRequest>(), Generous);
            System.Runtime.InteropServices.MemoryMarshal.Write(claim.Payload, new AddRequest { A = 40, B = 2 });
            race.Slot = claim.Commit(out _);
            race.Version = race.Slot.Version;
            long id = race.Slot.Id;
            byte[] body = new byte[System.Runtime.CompilerServices.Unsafe.SizeOf<AddResponse>()];
            System.Runtime.InteropServices.MemoryMarshal.Write(body, new AddResponse { Sum = 42 });

            Assert.True(race.Client.TryEnterReading());
            using var won = new ManualResetEventSlim();
            race.Resolver = Task.Factory.StartNew(() =>
            {
                using (ProtocolPoint.OnThisThread(point =>
                {
                    if (point == ProtocolPoint.RequestResolving)
                    {
                        won.Set();
                        race._go.Wait(Generous);
                    }
                }))
                {
                    return race.Slot.TryRespond(id, ResponseStatus.Ok, body);
                }
            }, TaskCreationOptions.LongRunning);
            Assert.True(won.Wait(Generous));
            return race;
        }

        public void LetTheResolverOn() => _go.Set();

        public void Dispose()
        {
            _go.Set();
            Client.ExitReading(); // else the client's Dispose waits for the ring this test holds
            Client.Dispose();
            _server.Dispose();
            _go.Dispose();
        }
    }

    private static unsafe nint Address(int[] pinned) => (nint)System.Runtime.CompilerServices.Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(pinned));

    // A server process (the test host's add-server: each request answered after its DelayMs, never if negative).
    private static async Task<ChildProcess> StartServer(TestChannel channel)
    {
        ChildProcess server = ChildProcess.Start("add-server", channel.Directory, channel.Name);
        try
        {
            await server.WaitForLineAsync("ready", Generous);
            return server;
        }
        catch
        {
            server.Dispose(); // no child left behind by a failed start
            throw;
        }
    }

    // A client that spins once before it parks: every request its server delays parks its caller.
    private static async Task<SharedClient<AddRequest, AddResponse>> ConnectParking(TestChannel channel)
    {
        SharedChannelOptions options = channel.Options(1 << 16);
        options.SpinCount = 1;
        return await SharedChannel.ConnectAsync<AddRequest, AddResponse>(channel.Name, options, Generous);
    }

    private static SharedChannelOptions NoSpin(TestChannel channel)
    {
        SharedChannelOptions options = channel.Options(1 << 16);
        options.SpinCount = 0;
        return options;
    }

    // Connects while a task serves the handshake (the server reads its ring only when asked), then stops serving.
    private static async Task<SharedClient<AddRequest, AddResponse>> Connect(TestChannel channel, SharedServer<AddRequest, AddResponse> server)
    {
        Task<SharedClient<AddRequest, AddResponse>> connecting = SharedChannel.ConnectAsync<AddRequest, AddResponse>(channel.Name, NoSpin(channel), Generous).AsTask();
        using var deadline = new CancellationTokenSource(Generous);
        while (!connecting.IsCompleted)
        {
            Assert.False(server.TryRead(out _)); // a connect record is handled on the way, never returned
            await Task.Delay(1, deadline.Token);
        }

        return await connecting;
    }

    // At the first arming on this thread, the server reads the one request and answers it; true then.
    private static bool AnswerAt(string point, SharedServer<AddRequest, AddResponse> server, ref int hits)
    {
        if (point != ProtocolPoint.WaitArming || ++hits != 1)
        {
            return false;
        }

        Assert.True(server.TryRead(out IncomingRequest<AddRequest, AddResponse> request));
        using (request)
        {
            AddRequest add = request.Message;
            Assert.True(request.TryReply(new AddResponse { Sum = add.A + add.B }));
        }

        return true;
    }
}
