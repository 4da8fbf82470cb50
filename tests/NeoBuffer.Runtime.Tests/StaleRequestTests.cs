using System;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Ring;
using NeoBuffer.Testing;
using NeoBuffer.TestHost.Messages;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// A request the server has ended (disposed, or its handler returned) is ended for good: every later use of it throws,
/// and none can answer the request the server read after it, whatever the library reuses underneath. The order is
/// constructed: the server reads each request on the test thread, so the next request is in hand before the stale use.
/// </summary>
public sealed class StaleRequestTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task A_reply_through_a_request_already_ended_throws_and_never_reaches_the_next_client()
    {
        using var channel = new TestChannel("rr");
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16));
        using SharedClient<AddRequest, AddResponse> alice = await ManualServing.ConnectAsync(server, channel);
        using SharedClient<AddRequest, AddResponse> bob = await ManualServing.ConnectAsync(server, channel);

        Task<AddResponse> first = Task.Run(() => alice.RequestAsync(new AddRequest { A = 1 }, Generous).AsTask());
        IncomingRequest<AddRequest, AddResponse> stale = await ManualServing.ReadOneAsync(server);
        stale.Dispose(); // alice's request ends without a reply: she is told so
        stale.Dispose(); // a second dispose of the same request does nothing

        Task<AddResponse> second = Task.Run(() => bob.RequestAsync(new AddRequest { A = 2 }, Generous).AsTask());
        IncomingRequest<AddRequest, AddResponse> current = await ManualServing.ReadOneAsync(server);
        Assert.Equal(2, current.Message.A);

        // Every way to answer, or to read, through the ended request is refused; none reaches bob's request.
        AssertEnded(Assert.Throws<InvalidOperationException>(() => stale.TryReply(new AddResponse { Sum = -1 })));
        AssertEnded(await Assert.ThrowsAsync<InvalidOperationException>(() => stale.ReplyAsync(new AddResponse { Sum = -2 }).AsTask()));
        AssertEnded(Assert.Throws<InvalidOperationException>(() => stale.TryFail("stale")));
        AssertEnded(Assert.Throws<InvalidOperationException>(() => stale.TryClaimReply(8, out _)));
        AssertEnded(Assert.Throws<InvalidOperationException>(() => stale.Payload.Length));
        Assert.True(stale.IsAnswered);
        stale.Dispose(); // and disposing it again leaves bob's request alone
        Assert.False(current.IsAnswered);
        Assert.False(second.IsCompleted);

        Assert.True(current.TryReply(new AddResponse { Sum = 2 }));
        Assert.Equal(2, (await second.WaitAsync(Generous)).Sum);
        RequestFailedException failed = await Assert.ThrowsAsync<RequestFailedException>(() => first.WaitAsync(Generous));
        Assert.Contains("without a reply", failed.Message);
        current.Dispose();
    }

    [Fact]
    public async Task A_late_reply_after_its_handler_returned_throws_and_the_next_request_gets_its_own_answer()
    {
        using var channel = new TestChannel("rr");
        using var serving = new CancellationTokenSource();
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16));
        var kept = new TaskCompletionSource<IncomingRequest<AddRequest, AddResponse>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var lateReply = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);

        // Request 1's handler keeps the request and returns at once (so it is ended); request 2's handler lets the
        // kept one try its late reply while request 2 is being handled, then answers request 2 itself.
        Task serve = Task.Run(() => server.ServeAsync(async request =>
        {
            if (request.Message.A == 1)
            {
                kept.SetResult(request);
                return;
            }

            secondArrived.SetResult();
            await lateReply.Task;
            await request.ReplyAsync(new AddResponse { Sum = request.Message.A });
        }, serving.Token));
        using SharedClient<AddRequest, AddResponse> client = await SharedChannel.ConnectAsync<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16), Generous);

        await Assert.ThrowsAsync<RequestFailedException>(() => client.RequestAsync(new AddRequest { A = 1 }, Generous).AsTask());
        IncomingRequest<AddRequest, AddResponse> first = await kept.Task.WaitAsync(Generous);
        Task<AddResponse> second = client.RequestAsync(new AddRequest { A = 2 }, Generous).AsTask();
        await secondArrived.Task.WaitAsync(Generous);
        Exception? late = Record.Exception(() => first.TryReply(new AddResponse { Sum = -1 }));
        lateReply.SetResult(late);

        AssertEnded(Assert.IsType<InvalidOperationException>(late));
        Assert.Equal(2, (await second.WaitAsync(Generous)).Sum);
        serving.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => serve.WaitAsync(Generous));
    }

    [Fact]
    public async Task A_reply_still_waiting_for_room_when_its_request_is_disposed_lands_on_its_own_request()
    {
        using var channel = new TestChannel("rr");
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16));
        using SharedClient<AddRequest, AddResponse> client = await ManualServing.ConnectAsync(server, channel);

        // The client's reply gate is held by a claim, so request 1's ReplyAsync waits; request 1 is disposed meanwhile
        // (a handler that did not await its reply), and request 2 is read: the waiting reply still answers request 1.
        Task<AddResponse> first = Task.Run(() => client.RequestAsync(new AddRequest { A = 1 }, Generous).AsTask());
        IncomingRequest<AddRequest, AddResponse> one = await ManualServing.ReadOneAsync(server);
        Task<AddResponse> second = Task.Run(() => client.RequestAsync(new AddRequest { A = 2 }, Generous).AsTask());
        IncomingRequest<AddRequest, AddResponse> two = await ManualServing.ReadOneAsync(server);
        using var held = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        Task holding = HoldReplyGate(two, held, release);
        Assert.True(held.Wait(Generous));
        Task replying = one.ReplyAsync(new AddResponse { Sum = 1 }).AsTask();
        Assert.False(replying.IsCompleted);
        one.Dispose();
        AssertEnded(Assert.ThrowsAny<InvalidOperationException>(() => one.TryReply(new AddResponse { Sum = -1 })));

        Task<AddResponse> third = Task.Run(() => client.RequestAsync(new AddRequest { A = 3 }, Generous).AsTask());
        IncomingRequest<AddRequest, AddResponse> three = await ManualServing.ReadOneAsync(server);
        release.Set(); // the claim is given back: request 1's reply goes out
        await holding.WaitAsync(Generous);
        await replying.WaitAsync(Generous);
        Assert.Equal(1, (await first.WaitAsync(Generous)).Sum);
        Assert.True(three.TryReply(new AddResponse { Sum = 3 }));
        Assert.True(two.TryReply(new AddResponse { Sum = 2 }));
        Assert.Equal(2, (await second.WaitAsync(Generous)).Sum);
        Assert.Equal(3, (await third.WaitAsync(Generous)).Sum);
        two.Dispose();
        three.Dispose();
    }

    [Fact]
    public async Task An_end_late_on_an_earlier_request_never_gives_its_reason_to_the_next_request()
    {
        using var channel = new TestChannel("rr");
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16));
        using SharedClient<AddRequest, AddResponse> alice = await ManualServing.ConnectAsync(server, channel);
        using SharedClient<AddRequest, AddResponse> bob = await ManualServing.ConnectAsync(server, channel);

        // Alice's request has an answer in progress (a claimed reply) when a copy of it is ended on another thread,
        // which stops right after reading the request's state, before its reason is published.
        Task<AddResponse> first = Task.Run(() => alice.RequestAsync(new AddRequest { A = 1 }, Generous).AsTask());
        IncomingRequest<AddRequest, AddResponse> one = await ManualServing.ReadOneAsync(server);
        Assert.True(one.TryClaimReply(8, out ReplyClaim claimOne));
        using var paused = new ManualResetEventSlim();
        using var resume = new ManualResetEventSlim();
        var stale = new Thread(() =>
        {
            using (ProtocolPoint.OnThisThread(point =>
            {
                if (point == ProtocolPoint.RequestEnding && !paused.IsSet)
                {
                    paused.Set();
                    resume.Wait(Generous);
                }
            }))
            {
                one.End("alice's handler failed");
            }
        })
        { IsBackground = true };
        stale.Start();
        Assert.True(paused.Wait(Generous));

        // Meanwhile alice's request ends and its storage serves bob's, which also has an answer in progress when it is
        // ended with its own reason.
        claimOne.Dispose();
        one.Dispose();
        Task<AddResponse> second = Task.Run(() => bob.RequestAsync(new AddRequest { A = 2 }, Generous).AsTask());
        IncomingRequest<AddRequest, AddResponse> two = await ManualServing.ReadOneAsync(server);
        Assert.True(two.TryClaimReply(8, out ReplyClaim claimTwo));
        two.End("bob's handler failed");

        resume.Set(); // the stale end goes on, on a generation that has moved on
        Assert.True(stale.Join(Generous));
        claimTwo.Dispose(); // bob's answer gives up: bob's request fails with the reason of bob's own end

        RequestFailedException failed = await Assert.ThrowsAsync<RequestFailedException>(() => second.WaitAsync(Generous));
        Assert.Contains("bob's handler failed", failed.Message);
        Assert.DoesNotContain("alice", failed.Message);
        Assert.Contains("without a reply", (await Assert.ThrowsAsync<RequestFailedException>(() => first.WaitAsync(Generous))).Message);
    }

    [Fact]
    public void A_default_request_throws_instead_of_answering_anything()
    {
        IncomingRequest<AddRequest, AddResponse> none = default;
        Assert.Throws<InvalidOperationException>(() => none.TryReply(new AddResponse { Sum = 1 }));
        Assert.Throws<InvalidOperationException>(() => none.Payload.Length);
        none.Dispose();
    }

    // Holds the client's reply gate with a claim for request two, on a thread of its own (a claim cannot cross an await).
    private static Task HoldReplyGate(IncomingRequest<AddRequest, AddResponse> request, ManualResetEventSlim held, ManualResetEventSlim release) =>
        Task.Factory.StartNew(
            () =>
            {
                Assert.True(request.TryClaimReply(8, out ReplyClaim claim));
                using (claim)
                {
                    held.Set();
                    Assert.True(release.Wait(Generous));
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

    private static void AssertEnded(InvalidOperationException error) => Assert.Contains("has ended", error.Message);
}
