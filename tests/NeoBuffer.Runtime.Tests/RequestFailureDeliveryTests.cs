using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Testing;
using NeoBuffer.TestHost.Messages;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// A handler's failure reaches its client even when the client's reply gate is busy at that moment (another reply to
/// the same client in progress): it waits for the gate, as a reply does, instead of being dropped.
/// </summary>
public sealed class RequestFailureDeliveryTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task A_handler_that_throws_while_another_reply_holds_the_gate_still_fails_its_request()
    {
        using var channel = new TestChannel("rr");
        using var serving = new CancellationTokenSource();
        using var claimed = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16));

        // Request 1 holds its client's reply gate (a reply claimed, not committed) until request 3 arrives; request 2
        // throws in between, so its failure finds the gate busy. The serve loop runs the three handlers in order.
        Task serve = Task.Run(() => server.ServeAsync(request =>
        {
            switch (request.Message.A)
            {
                case 1:
                    Task holding = Task.Factory.StartNew(() => HoldGateThenReply(request, claimed, release), TaskCreationOptions.LongRunning);
                    Assert.True(claimed.Wait(Generous));
                    return new ValueTask(holding);
                case 2:
                    throw new InvalidOperationException("request 2 failed");
                default:
                    release.Set();
                    return request.ReplyAsync(new AddResponse { Sum = 3 });
            }
        }, serving.Token));
        using SharedClient<AddRequest, AddResponse> client = await SharedChannel.ConnectAsync<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16), Generous);

        Task<AddResponse> first = client.RequestAsync(new AddRequest { A = 1 }, Generous).AsTask();
        Task<AddResponse> second = client.RequestAsync(new AddRequest { A = 2 }, Generous).AsTask();
        Task<AddResponse> third = client.RequestAsync(new AddRequest { A = 3 }, Generous).AsTask();

        Assert.Equal(1, (await first.WaitAsync(Generous)).Sum);
        Assert.Equal(3, (await third.WaitAsync(Generous)).Sum);
        RequestFailedException failed = await Assert.ThrowsAsync<RequestFailedException>(() => second.WaitAsync(TimeSpan.FromSeconds(15)));
        Assert.Contains("request 2 failed", failed.Message);

        serving.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => serve.WaitAsync(Generous));
    }

    private static void HoldGateThenReply(IncomingRequest<AddRequest, AddResponse> request, ManualResetEventSlim claimed, ManualResetEventSlim release)
    {
        Assert.True(request.TryClaimReply(Unsafe.SizeOf<AddResponse>(), out ReplyClaim claim));
        claimed.Set();
        Assert.True(release.Wait(Generous));
        MemoryMarshal.Write(claim.Payload, new AddResponse { Sum = 1 });
        claim.Commit();
    }
}
