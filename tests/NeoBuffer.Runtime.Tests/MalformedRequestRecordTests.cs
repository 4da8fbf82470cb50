using System;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Requests;
using NeoBuffer.Testing;
using NeoBuffer.TestHost.Commands;
using NeoBuffer.TestHost.Messages;
using static NeoBuffer.Runtime.Tests.ManualServing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// Any process that can open a service's request ring can write any bytes into it. Every record that is not one this
/// library writes (shorter than the envelope, of an unknown kind, a request whose length no request message has, a
/// request under another client's id) is refused and counted, reaches no handler, and the server goes on serving
/// everyone else. The records are built by hand here, through a writer of the request ring as any client opens it.
/// </summary>
public sealed class MalformedRequestRecordTests
{
    [Fact]
    public async Task Malformed_records_are_refused_and_counted_and_never_reach_a_handler_while_the_honest_client_is_served()
    {
        using var channel = new TestChannel("mr");
        int handled = 0;
        await using var served = new ServedAddServer(channel, 1 << 16, request =>
        {
            Interlocked.Increment(ref handled);
            AddRequest asked = request.Message;
            Assert.True(request.TryReply(new AddResponse { Sum = asked.A + asked.B }));
            return ValueTask.CompletedTask;
        });
        using SharedClient<AddRequest, AddResponse> honest = await served.ConnectAsync();
        Assert.Equal(5, (await honest.RequestAsync(new AddRequest { A = 2, B = 3 }, Generous)).Sum);

        using (SharedChannelWriter hostile = ForgedRecords.OpenRequests(channel.Directory, channel.Name))
        {
            // Truncated: an empty record, and one a byte shorter than the envelope.
            ForgedRecords.WriteRaw(hostile, []);
            ForgedRecords.WriteRaw(hostile, new byte[RequestEnvelope.Size - 1]);

            // An unknown kind, with the honest client's own id and token (which a peer that read them could use).
            var unknown = new RequestEnvelope { CorrelationId = 1, ClientId = honest.ClientId, Kind = 9, Token = honest.Token };
            ForgedRecords.Write(hostile, in unknown, new byte[16]);

            // Requests of the honest client's id and token whose messages no AddRequest has: too short, too long.
            long stray = (1L << 40) | 77; // an id no request of the honest client has: its failures are dropped there
            var request = new RequestEnvelope { CorrelationId = stray, ClientId = honest.ClientId, Kind = RequestKind.Request, Token = honest.Token };
            ForgedRecords.Write(hostile, in request, new byte[8]);
            ForgedRecords.Write(hostile, in request, new byte[Unsafe.SizeOf<AddRequest>() + 8]);

            // A request of the right length under the honest client's id with another token.
            var forged = request with { Token = honest.Token ^ 0x5a5a };
            ForgedRecords.Write(hostile, in forged, new byte[Unsafe.SizeOf<AddRequest>()]);
        }

        await Poll.UntilAsync(() => served.Server.RefusedRecords == 6, Generous, "the six malformed records refused");

        // The honest client is still connected and served, and no handler saw any of the records.
        Assert.Equal(9, (await honest.RequestAsync(new AddRequest { A = 4, B = 5 }, Generous)).Sum);
        Assert.Equal(2, Volatile.Read(ref handled));
        Assert.Equal(1, served.Server.ClientCount);
        Assert.Equal(6, served.Server.RefusedRecords);
        Assert.Equal(0, served.Server.RefusedConnections);
    }

    [Fact]
    public async Task A_request_of_a_length_no_request_message_has_fails_at_its_client_with_the_reason_and_is_counted()
    {
        using var channel = new TestChannel("mr");
        await using var served = new ServedAddServer(channel, 1 << 16, AddAnswer.Answer);
        using SharedClient<AddRequest, AddResponse> client = await served.ConnectAsync();

        // The client's own record (its id, its token, a pending request's id) with 8 bytes where an AddRequest has 24:
        // the server refuses it and tells the client why, rather than leaving it to its timeout.
        RequestClaim<AddRequest, AddResponse> claim = client.ClaimRequest(8, Generous);
        claim.Payload.Clear();
        ValueTask<ResponseLease<AddResponse>> sending = claim.SendAsync(Generous);
        RequestFailedException refused = await Assert.ThrowsAsync<RequestFailedException>(() => sending.AsTask());
        Assert.Contains("refused", refused.Message);
        Assert.Contains("8 bytes", refused.Message);
        Assert.Equal(1, served.Server.RefusedRecords);

        Assert.Equal(5, (await client.RequestAsync(new AddRequest { A = 2, B = 3 }, Generous)).Sum);
    }
}
