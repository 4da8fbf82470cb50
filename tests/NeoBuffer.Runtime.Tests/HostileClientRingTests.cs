using System;
using System.Threading.Tasks;
using NeoBuffer.Testing;
using NeoBuffer.TestHost.Messages;
using static NeoBuffer.Runtime.Tests.ManualServing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// A client creates its response ring and is its reader, so it can write anything into that ring's shared state. What
/// the server finds there when it replies (a read position no reader publishes) is that client's problem alone: the
/// server lets go of the client and goes on serving everyone else; nothing of it escapes the serving loop.
/// </summary>
public sealed class HostileClientRingTests
{
    [Fact]
    public async Task A_client_that_corrupts_its_own_response_ring_is_dropped_and_the_server_serves_the_others()
    {
        using var channel = new TestChannel("hc");

        // The handler of samples/RequestReply: reply at once, or wait for room.
        await using var served = new ServedAddServer(channel, 1 << 16, request =>
        {
            AddRequest asked = request.Message;
            var answer = new AddResponse { Sum = asked.A + asked.B };
            return request.TryReply(answer) ? ValueTask.CompletedTask : request.ReplyAsync(answer);
        });
        using SharedClient<AddRequest, AddResponse> honest = await served.ConnectAsync();
        Assert.Equal(5, (await honest.RequestAsync(new AddRequest { A = 2, B = 3 }, Generous)).Sum);

        using ChildProcess hostile = ChildProcess.Start("corrupt-own-ring", channel.Directory, channel.Name);
        await hostile.WaitForLineAsync("sent", Generous);

        // The server replies to the hostile client until its ring looks full, then reads the impossible position: it
        // lets go of that client (alive, but no longer served), and its serving loop goes on.
        await Poll.UntilAsync(() => served.Serving.IsCompleted || served.Server.ClientCount == 1, Generous, "the hostile client let go of");
        Assert.False(served.Serving.IsCompleted, $"The serving loop ended: {served.Serving.Exception?.GetBaseException()}");
        Assert.Equal(9, (await honest.RequestAsync(new AddRequest { A = 4, B = 5 }, Generous)).Sum);
        Assert.False(hostile.HasExited, hostile.ErrorOutput);
    }
}
