using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Testing;
using NeoBuffer.TestHost.Messages;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// A client disposed while one of its threads holds a request claim: a request queued behind the claim ends within
/// its timeout, and the claim's memory stays mapped until the claim ends.
/// </summary>
public sealed class ClientDisposeTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task A_request_queued_behind_a_claim_ends_when_the_client_is_disposed()
    {
        using var channel = new TestChannel("rr");
        using var serving = new CancellationTokenSource();
        (SharedServer<AddRequest, AddResponse> server, Task serve) = Serve(channel, serving.Token);
        using SharedServer<AddRequest, AddResponse> disposing = server;
        SharedClient<AddRequest, AddResponse> client = await SharedChannel.ConnectAsync<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16), Generous);

        RequestClaim<AddRequest, AddResponse> claim = client.ClaimRequest(Unsafe.SizeOf<AddRequest>(), Generous);
        Task<AddResponse> queued = client.RequestAsync(new AddRequest { A = 1, B = 2 }, TimeSpan.FromSeconds(1)).AsTask();
        var disposer = new Thread(client.Dispose) { IsBackground = true };
        disposer.Start();
        WaitUntilBlocked(disposer); // Dispose waits for the send gate the claim holds, ahead of the queued request
        claim.Dispose();

        Task first = await Task.WhenAny(queued, Task.Delay(TimeSpan.FromSeconds(10)));
        Assert.True(first == queued, "the queued request still waited 10 s after its 1 s timeout");
        await Assert.ThrowsAnyAsync<Exception>(() => queued);
        Assert.True(disposer.Join(Generous));

        serving.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => serve.WaitAsync(Generous));
    }

    /// <summary>
    /// Every slot taken by a request whose result nobody takes, and a claim and a request waiting for a slot with no
    /// timeout: the client's failure (its Dispose, or its server's) fails the pending requests, whose slots stay out
    /// until their results are taken, and must end both waits too (they waited for ever before).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Callers_waiting_for_a_free_slot_with_no_timeout_end_when_the_client_fails(bool serverCloses)
    {
        using var channel = new TestChannel("rr");
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 20));
        SharedChannelOptions parking = channel.Options(1 << 20);
        parking.SpinCount = 0;
        using SharedClient<AddRequest, AddResponse> client = await ManualServing.ConnectAsync(server, channel, parking);
        Type failure = serverCloses ? typeof(System.Threading.Channels.ChannelClosedException) : typeof(ObjectDisposedException);

        // Never answered, and never awaited: a failed request's slot comes back only when its result is taken.
        var pending = new ValueTask<AddResponse>[SharedClient<AddRequest, AddResponse>.MaxInFlight];
        for (int i = 0; i < pending.Length; i++)
        {
            pending[i] = client.RequestAsync(new AddRequest { A = i }, Timeout.InfiniteTimeSpan);
        }

        Assert.Equal(0, client.FreeSlots);
        var claimer = new BlockedClaimer(client);
        Task<AddResponse> queued = client.RequestAsync(new AddRequest { A = -1 }, Timeout.InfiniteTimeSpan).AsTask();
        claimer.WaitUntilBlocked();
        Assert.False(queued.IsCompleted);

        if (serverCloses)
        {
            server.Dispose();
        }
        else
        {
            client.Dispose();
        }

        Assert.True(claimer.Ended(TimeSpan.FromSeconds(10)), "the claim still waited for a slot 10 s after the failure");
        Assert.IsType(failure, claimer.Thrown);
        Assert.IsType(failure, await Assert.ThrowsAnyAsync<Exception>(() => queued.WaitAsync(TimeSpan.FromSeconds(10))));
        Assert.All(pending, request => Assert.True(request.IsFaulted));
        Assert.Equal(0, client.FreeSlots); // the waits ended without a slot
        foreach (ValueTask<AddResponse> request in pending)
        {
            Assert.IsType(failure, await Assert.ThrowsAnyAsync<Exception>(async () => await request));
        }

        Assert.Equal(SharedClient<AddRequest, AddResponse>.MaxInFlight, client.FreeSlots);
    }

    /// <summary>
    /// A claim held (and never ended, within the test) while another thread waits for the send gate with no timeout:
    /// the Dispose ends that wait with ObjectDisposedException (it waited until the claim ended before).
    /// </summary>
    [Fact]
    public async Task A_blocking_claim_waiting_for_the_gate_with_no_timeout_ends_when_the_client_is_disposed()
    {
        using var channel = new TestChannel("rr");
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16));
        SharedClient<AddRequest, AddResponse> client = await ManualServing.ConnectAsync(server, channel, channel.Options(1 << 16));

        RequestClaim<AddRequest, AddResponse> held = client.ClaimRequest(Unsafe.SizeOf<AddRequest>(), Generous);
        var claimer = new BlockedClaimer(client);
        claimer.WaitUntilBlocked();

        client.Dispose(); // waits a second for the gate, then leaves the rings to the claim's end

        Assert.True(claimer.Ended(TimeSpan.FromSeconds(10)), "the claim still waited for the gate 10 s after the Dispose");
        Assert.IsType<ObjectDisposedException>(claimer.Thrown);
        held.Dispose();
    }

    /// <summary>
    /// A wait ended by the caller's own token (a claim and an async request queued behind a held claim) throws
    /// OperationCanceledException carrying that token, not the source the client links it with.
    /// </summary>
    [Fact]
    public async Task A_wait_cancelled_by_the_callers_token_throws_with_that_token()
    {
        using var channel = new TestChannel("rr");
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16));
        using SharedClient<AddRequest, AddResponse> client = await ManualServing.ConnectAsync(server, channel, channel.Options(1 << 16));
        using var cancelling = new CancellationTokenSource();

        (Exception? claimed, Task<AddResponse> queued) = CancelWhileTheGateIsHeld(client, cancelling);

        Assert.Equal(cancelling.Token, Assert.IsAssignableFrom<OperationCanceledException>(claimed).CancellationToken);
        OperationCanceledException asked = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(cancelling.Token, asked.CancellationToken);
        Assert.Equal(SharedClient<AddRequest, AddResponse>.MaxInFlight, client.FreeSlots);
    }

    // Holds a claim (so the gate) while a blocking claim and an async request wait behind it on `cancelling`'s token,
    // cancels it, and lets go of the claim once both waits have ended (a claim is a ref struct: it cannot live in the
    // async test across its awaits).
    private static (Exception? Claimed, Task<AddResponse> Queued) CancelWhileTheGateIsHeld(SharedClient<AddRequest, AddResponse> client, CancellationTokenSource cancelling)
    {
        RequestClaim<AddRequest, AddResponse> held = client.ClaimRequest(Unsafe.SizeOf<AddRequest>(), Generous);
        var claimer = new BlockedClaimer(client, cancelling.Token);
        Task<AddResponse> queued = client.RequestAsync(new AddRequest { A = 1 }, Timeout.InfiniteTimeSpan, cancelling.Token).AsTask();
        claimer.WaitUntilBlocked();

        cancelling.Cancel();

        Assert.True(claimer.Ended(TimeSpan.FromSeconds(10)), "the claim still waited 10 s after its token was cancelled");
        Assert.True(((IAsyncResult)queued).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(10)), "the request still waited 10 s after its token was cancelled");
        held.Dispose();
        return (claimer.Thrown, queued);
    }

    /// <summary>
    /// The request ring full (its server reads nothing), an async request waiting for room with no timeout (holding the
    /// send gate) and a blocking claim waiting for the gate behind it: the Dispose ends both (the room wait saw only the
    /// caller's token before, and waited for ever).
    /// </summary>
    [Fact]
    public async Task A_send_waiting_for_room_with_no_timeout_ends_when_the_client_is_disposed()
    {
        using var channel = new TestChannel("rr");
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 12));
        SharedClient<AddRequest, AddResponse> client = await ManualServing.ConnectAsync(server, channel, channel.Options(1 << 12));
        int sent = FillTheRequestRing(client);
        Assert.True(sent > 0);

        Task<AddResponse> waiting = client.RequestAsync(new AddRequest { A = -1 }, Timeout.InfiniteTimeSpan).AsTask();
        var claimer = new BlockedClaimer(client);
        claimer.WaitUntilBlocked();
        Assert.False(waiting.IsCompleted);

        client.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(claimer.Ended(TimeSpan.FromSeconds(10)), "the claim still waited 10 s after the Dispose");
        Assert.IsType<ObjectDisposedException>(claimer.Thrown);
    }

    // Sends requests (never answered, never awaited) until the request ring has no room for another; returns how many.
    private static int FillTheRequestRing(SharedClient<AddRequest, AddResponse> client)
    {
        for (int sent = 0; ; sent++)
        {
            RequestClaim<AddRequest, AddResponse> claim;
            try
            {
                claim = client.ClaimRequest(Unsafe.SizeOf<AddRequest>(), TimeSpan.Zero);
            }
            catch (TimeoutException)
            {
                return sent;
            }

            MemoryMarshal.Write(claim.Payload, new AddRequest { A = sent });
            _ = claim.SendAsync(Timeout.InfiniteTimeSpan);
        }
    }

    [Fact]
    public async Task A_claim_held_while_the_client_is_disposed_stays_writable_until_it_ends()
    {
        using var channel = new TestChannel("rr");
        using var serving = new CancellationTokenSource();
        (SharedServer<AddRequest, AddResponse> server, Task serve) = Serve(channel, serving.Token);
        using SharedServer<AddRequest, AddResponse> disposing = server;
        SharedClient<AddRequest, AddResponse> client = await SharedChannel.ConnectAsync<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16), Generous);

        RequestClaim<AddRequest, AddResponse> claim = client.ClaimRequest(Unsafe.SizeOf<AddRequest>(), Generous);
        var disposer = new Thread(client.Dispose) { IsBackground = true };
        disposer.Start();
        Assert.True(disposer.Join(Generous)); // Dispose returns while the claim is still held

        MemoryMarshal.Write(claim.Payload, new AddRequest { A = 1, B = 2 }); // the claim's memory is still mapped
        claim.Dispose();
        Assert.ThrowsAny<ObjectDisposedException>(() => client.ClaimRequest(Unsafe.SizeOf<AddRequest>(), Generous));

        serving.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => serve.WaitAsync(Generous));
    }

    [Fact]
    public async Task Dispose_with_a_parked_async_caller_and_a_blocking_caller_holding_the_ring_fails_both()
    {
        // In a child: the fault this pins (a reader loop restarted on the same stack until Dispose took the ring) ends
        // in a stack overflow, which no test host survives. The child checks both callers end disposed and says "ok".
        using var channel = new TestChannel("rr");
        using ChildProcess child = ChildProcess.Start("dispose-with-parked-callers", channel.Directory, channel.Name);
        int exitCode = await child.ExitCodeAsync(Generous);
        Assert.True(exitCode == 0 && child.LastLine == "ok", $"exit code {exitCode}: {child.Output}");
    }

    private static (SharedServer<AddRequest, AddResponse> Server, Task Serve) Serve(TestChannel channel, CancellationToken serving)
    {
        SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16));
        return (server, Task.Run(() => server.ServeAsync(AddAnswer.Answer, serving)));
    }

    // A thread that claims a request with no timeout (and gives the claim back), keeping what the claim threw.
    private sealed class BlockedClaimer
    {
        private readonly Thread _thread;

        public BlockedClaimer(SharedClient<AddRequest, AddResponse> client, CancellationToken cancellationToken = default)
        {
            _thread = new Thread(() =>
            {
                try
                {
                    client.ClaimRequest(Unsafe.SizeOf<AddRequest>(), Timeout.InfiniteTimeSpan, cancellationToken).Dispose();
                }
                catch (Exception e)
                {
                    Thrown = e;
                }
            })
            {
                IsBackground = true,
            };
            _thread.Start();
        }

        public Exception? Thrown { get; private set; }

        public void WaitUntilBlocked() => ClientDisposeTests.WaitUntilBlocked(_thread);

        public bool Ended(TimeSpan bound) => _thread.Join(bound);
    }

    private static void WaitUntilBlocked(Thread thread)
    {
        var deadline = DateTime.UtcNow + Generous;
        while ((thread.ThreadState & ThreadState.WaitSleepJoin) == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the thread never blocked");
            Thread.Yield();
        }
    }
}
