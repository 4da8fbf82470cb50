using System;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Testing;
using NeoBuffer.TestHost.Messages;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// A versioned request type with fixed fields only: its records carry the block prefix, so it cannot be sent as a
/// whole-struct copy and goes through the builder instead, reading back through its view on the server.
/// </summary>
public sealed class VersionedRequestTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task A_versioned_request_is_refused_as_a_copy_and_arrives_whole_when_built_in_place()
    {
        using var channel = new TestChannel("rr");
        using var serving = new CancellationTokenSource();
        using SharedServer<VersionedAdd, AddResponse> server = SharedChannel.CreateServer<VersionedAdd, AddResponse>(channel.Name, channel.Options(1 << 16));
        Task serve = Task.Run(() => server.ServeAsync(async request =>
        {
            var view = new VersionedAdd.View(request.Payload);
            await request.ReplyAsync(new AddResponse { Sum = view.A + view.B });
        }, serving.Token));
        using SharedClient<VersionedAdd, AddResponse> client = await SharedChannel.ConnectAsync<VersionedAdd, AddResponse>(channel.Name, channel.Options(1 << 16), Generous);

        Assert.Throws<InvalidOperationException>(() => client.RequestAsync(new VersionedAdd { A = 1, B = 2 }, Generous));

        RequestClaim<VersionedAdd, AddResponse> claim = client.ClaimRequest(VersionedAdd.Builder.LengthFor(), Generous);
        _ = new VersionedAdd.Builder(claim.Payload) { A = 40, B = 2 };
        using ResponseLease<AddResponse> response = await claim.SendAsync(Generous);
        Assert.Equal(42, response.Message.Sum);

        serving.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => serve.WaitAsync(Generous));
    }
}
