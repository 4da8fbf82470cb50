using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Testing;
using NeoBuffer.TestHost.Messages;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// A client keeps the buffer of the last lease disposed for its next response. Leases alive at the same time must never
/// share one: each keeps its response's bytes for as long as it is held, whatever comes after it.
/// </summary>
public sealed class ResponseBufferReuseTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Leases_held_together_keep_their_own_bytes_while_disposed_ones_are_reused()
    {
        using var channel = new TestChannel("rr");
        using var serving = new CancellationTokenSource();
        using SharedServer<EchoRequest, EchoResponse> server = SharedChannel.CreateServer<EchoRequest, EchoResponse>(channel.Name, channel.Options(1 << 20));
        Task serve = Task.Run(() => server.ServeAsync(Echo, serving.Token));
        using SharedClient<EchoRequest, EchoResponse> client = await SharedChannel.ConnectAsync<EchoRequest, EchoResponse>(channel.Name, channel.Options(1 << 20), Generous);

        ResponseLease<EchoResponse> first = Ask(client, 1);
        ResponseLease<EchoResponse> second = Ask(client, 2);
        Expect(first, 1);
        Expect(second, 2);

        first.Dispose(); // its buffer is the spare now
        first.Dispose(); // a second dispose of the same lease gives nothing back twice
        ResponseLease<EchoResponse> third = Ask(client, 3); // takes the spare
        ResponseLease<EchoResponse> fourth = Ask(client, 4); // must not take it again while the third holds it
        Expect(second, 2);
        Expect(third, 3);
        Expect(fourth, 4);

        // A larger response than the spare holds gets a buffer of its own; the spare stays for a later small one.
        fourth.Dispose();
        ResponseLease<EchoResponse> large = Ask(client, 5, size: 4096);
        ResponseLease<EchoResponse> small = Ask(client, 6);
        Expect(third, 3);
        Expect(large, 5, size: 4096);
        Expect(small, 6);

        second.Dispose();
        third.Dispose();
        large.Dispose();
        small.Dispose();
        serving.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => serve.WaitAsync(Generous));
    }

    private static ResponseLease<EchoResponse> Ask(SharedClient<EchoRequest, EchoResponse> client, int id, int size = 48)
    {
        RequestClaim<EchoRequest, EchoResponse> claim = client.ClaimRequest(EchoRequest.Builder.LengthFor(size), Generous);
        var request = new EchoRequest.Builder(claim.Payload, size) { Id = id };
        Bytes(id, size).CopyTo(request.Data);
        return claim.Send(Generous);
    }

    private static void Expect(ResponseLease<EchoResponse> lease, int id, int size = 48)
    {
        var view = new EchoResponse.View(lease.Payload);
        Assert.Equal(id, view.Id);
        Assert.Equal(Bytes(id, size), view.Data.ToArray());
    }

    private static byte[] Bytes(int id, int size) => Enumerable.Range(0, size).Select(i => (byte)(i * 31 + id)).ToArray();

    private static ValueTask Echo(IncomingRequest<EchoRequest, EchoResponse> request)
    {
        var view = new EchoRequest.View(request.Payload);
        Assert.True(request.TryClaimReply(EchoResponse.Builder.LengthFor(view.Data.Length), out ReplyClaim claim));
        var reply = new EchoResponse.Builder(claim.Payload, view.Data.Length) { Id = view.Id };
        view.Data.CopyTo(reply.Data);
        claim.Commit();
        return ValueTask.CompletedTask;
    }
}
