using System;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Requests;
using NeoBuffer.Testing;
using NeoBuffer.TestHost.Messages;
using static NeoBuffer.Runtime.Tests.ManualServing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// Records written under another client's id: a server acts on a request or a disconnect only if it carries the token
/// the named client connected with, and a client drops (and counts) every response that answers no request it has
/// pending, so a forged or stray response never completes another request.
/// </summary>
public sealed class ForgedEnvelopeTests
{
    [Fact]
    public async Task A_request_and_a_disconnect_forged_under_another_clients_id_are_refused_and_that_client_gets_its_own_answer()
    {
        using var channel = new TestChannel("fe");
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16));
        using SharedClient<AddRequest, AddResponse> victim = await ManualServing.ConnectAsync(server, channel);

        // The victim's first request is pending and held by the server. Its id is a counter and a slot (the first
        // request of a client: sequence 1, slot 0), as the victim's client id is a counter: a peer can guess both.
        Task<AddResponse> asking = victim.RequestAsync(new AddRequest { A = 2, B = 3 }, Generous).AsTask();
        IncomingRequest<AddRequest, AddResponse> honest = await ManualServing.ReadOneAsync(server);
        long guessed = 1L << 20;

        // A hostile child writes a request asking 100 + 100 under the victim's id with that id, then a disconnect.
        using (ChildProcess hostile = ChildProcess.Start(
            "hostile-envelope", channel.Directory, channel.Name, victim.ClientId.ToString(CultureInfo.InvariantCulture), guessed.ToString(CultureInfo.InvariantCulture)))
        {
            Assert.Equal(0, await hostile.ExitCodeAsync(Generous));
            Assert.Contains("sent", hostile.Output);
        }

        // Both records are committed: the server reads past them. A server that took them would answer the forged
        // request (into the victim's ring, under the id of the victim's pending request) and drop the victim.
        while (server.TryRead(out IncomingRequest<AddRequest, AddResponse> forged))
        {
            using (forged)
            {
                forged.TryReply(new AddResponse { Sum = forged.Message.A + forged.Message.B });
            }
        }

        Assert.Equal(2, server.RefusedRecords);
        Assert.Equal(1, server.ClientCount);
        using (honest)
        {
            Assert.True(honest.TryReply(new AddResponse { Sum = honest.Message.A + honest.Message.B }));
        }

        Assert.Equal(5, (await asking.WaitAsync(Generous)).Sum);

        // The victim is still connected and served, and nothing it did not ask for reached it.
        using var serving = new CancellationTokenSource();
        Task serve = Task.Run(() => server.ServeAsync(AddAnswer.Answer, serving.Token));
        Assert.Equal(9, (await victim.RequestAsync(new AddRequest { A = 4, B = 5 }, Generous)).Sum);
        Assert.Equal(0, victim.DroppedResponses);
        Assert.Equal(0, server.RefusedConnections);
        serving.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => serve.WaitAsync(Generous));
    }

    [Fact]
    public async Task Responses_that_answer_no_pending_request_are_dropped_and_counted_and_each_request_gets_its_own()
    {
        // The server here is built by hand from the two rings, so it can write responses no SharedServer writes.
        using var channel = new TestChannel("fe");
        (SharedChannelReader requests, SharedChannelWriter replies, SharedClient<AddRequest, AddResponse> client) = await ConnectByHandAsync(channel, _ => { });
        using SharedChannelReader disposeRequests = requests;
        using SharedChannelWriter disposeReplies = replies;
        using SharedClient<AddRequest, AddResponse> disposeClient = client;

        Task<AddResponse> first = client.RequestAsync(new AddRequest { A = 2, B = 3 }, Generous).AsTask();
        (RequestEnvelope asked, _) = await ReadRecordAsync(requests, static _ => 0);
        Assert.Equal(RequestKind.Request, asked.Kind);
        Assert.Equal(client.Token, asked.Token);
        long id = asked.CorrelationId;
        long slotBits = (1L << 20) - 1;

        // Five responses to no pending request, then the real one: the same slot under another sequence, another slot,
        // a slot past the table, the right id with a status no server writes, and an id that is no id.
        Write(replies, id + (1L << 20), ResponseStatus.Ok, 0, sum: 666);
        Write(replies, (id & ~slotBits) | 5, ResponseStatus.Ok, 0, sum: 666);
        Write(replies, (id & ~slotBits) | 2000, ResponseStatus.Ok, 0, sum: 666);
        Write(replies, id, status: 7, 0, sum: 666);
        Write(replies, -id, ResponseStatus.Ok, 0, sum: 666);
        Write(replies, id, ResponseStatus.Ok, 0, sum: 5);
        Assert.Equal(5, (await first.WaitAsync(Generous)).Sum);
        Assert.Equal(5, client.DroppedResponses);

        // A second answer to the same request, then the next request's own: the copy is dropped, not taken for the next.
        Write(replies, id, ResponseStatus.Ok, 0, sum: 666);
        Task<AddResponse> second = client.RequestAsync(new AddRequest { A = 4, B = 5 }, Generous).AsTask();
        (RequestEnvelope next, _) = await ReadRecordAsync(requests, static _ => 0);
        Write(replies, next.CorrelationId, ResponseStatus.Ok, 0, sum: 9);
        Assert.Equal(9, (await second.WaitAsync(Generous)).Sum);
        Assert.Equal(6, client.DroppedResponses);
    }

    [Fact]
    public async Task Well_framed_records_with_a_bad_envelope_are_dropped_and_counted_and_fail_no_other_request()
    {
        using var channel = new TestChannel("fe");

        // Before the acknowledgement: a record shorter than the envelope and an acknowledgement with another token.
        (SharedChannelReader requests, SharedChannelWriter replies, SharedClient<AddRequest, AddResponse> client) = await ConnectByHandAsync(channel, replies =>
        {
            WriteRaw(replies, [1, 2, 3, 4, 5, 6, 7, 8]);
            Write(replies, 12345, ResponseStatus.Connected, value: 9, sum: 0);
        });
        using SharedChannelReader disposeRequests = requests;
        using SharedChannelWriter disposeReplies = replies;
        using SharedClient<AddRequest, AddResponse> disposeClient = client;
        Assert.Equal(7, client.ClientId);
        Assert.Equal(2, client.DroppedResponses);

        // Two requests pending. For the first: a record shorter than the envelope, an empty one, and the right id and
        // status with a Value no server writes in a response; then its real answer.
        Task<AddResponse> first = client.RequestAsync(new AddRequest { A = 2, B = 3 }, Generous).AsTask();
        long firstId = (await ReadRecordAsync(requests, static _ => 0)).Envelope.CorrelationId;
        Task<AddResponse> second = client.RequestAsync(new AddRequest { A = 4, B = 5 }, Generous).AsTask();
        long secondId = (await ReadRecordAsync(requests, static _ => 0)).Envelope.CorrelationId;
        WriteRaw(replies, BitConverter.GetBytes(firstId));
        WriteRaw(replies, []);
        Write(replies, firstId, ResponseStatus.Ok, value: 1, sum: 666);
        Write(replies, firstId, ResponseStatus.Ok, value: 0, sum: 5);
        Assert.Equal(5, (await first.WaitAsync(Generous)).Sum);
        Assert.Equal(5, client.DroppedResponses);

        // A well-formed envelope over a body of the wrong size fails its own request only.
        WriteRaw(replies, Envelope(secondId, ResponseStatus.Ok, new byte[3]));
        await Assert.ThrowsAsync<MessageFormatException>(() => second.WaitAsync(Generous));

        // A failure with a reason far past what a server sends: its request fails with the reason cut at 1 KiB.
        Task<AddResponse> third = client.RequestAsync(new AddRequest { A = 6, B = 7 }, Generous).AsTask();
        long thirdId = (await ReadRecordAsync(requests, static _ => 0)).Envelope.CorrelationId;
        WriteRaw(replies, Envelope(thirdId, ResponseStatus.Failed, Encoding.UTF8.GetBytes(new string('x', 4000))));
        RequestFailedException failed = await Assert.ThrowsAsync<RequestFailedException>(() => third.WaitAsync(Generous));
        Assert.Contains(new string('x', ResponseStatus.MaxReasonLength), failed.Message);
        Assert.DoesNotContain(new string('x', ResponseStatus.MaxReasonLength + 1), failed.Message);

        // Nothing of it faulted the client: the next request is answered.
        Task<AddResponse> fourth = client.RequestAsync(new AddRequest { A = 8, B = 9 }, Generous).AsTask();
        Write(replies, (await ReadRecordAsync(requests, static _ => 0)).Envelope.CorrelationId, ResponseStatus.Ok, 0, sum: 17);
        Assert.Equal(17, (await fourth.WaitAsync(Generous)).Sum);
        Assert.Equal(5, client.DroppedResponses);
    }

    private static readonly System.Collections.Concurrent.ConcurrentBag<SharedChannelReader> s_serviceRings = [];

    // Creates the service ring by hand, connects a client to it and acknowledges its connect record (id 7), after
    // writing whatever else <paramref name="beforeAck"/> writes into the client's ring. Returns the client's request ring.
    private static async Task<(SharedChannelReader Requests, SharedChannelWriter Replies, SharedClient<AddRequest, AddResponse> Client)> ConnectByHandAsync(
        TestChannel channel, Action<SharedChannelWriter> beforeAck)
    {
        MessageLayout schema = ServiceSchema<AddRequest, AddResponse>.Layout;
        SharedChannelReader requests = CreateRequestRing(channel, schema);
        ValueTask<SharedClient<AddRequest, AddResponse>> connecting = SharedChannel.ConnectAsync<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16), Generous);

        (RequestEnvelope connect, string replyName) = await ReadRecordAsync(requests, body => Encoding.UTF8.GetString(body));
        Assert.Equal(RequestKind.Connect, connect.Kind);
        SharedDuplexChannel clientChannel = SharedDuplexChannel.Open(replyName, new SharedChannelOptions { Directory = channel.Directory }, schema, schema);
        SharedChannelWriter replies = clientChannel.Writer;
        beforeAck(replies);
        Write(replies, connect.Token, ResponseStatus.Connected, value: 7, sum: 0);
        SharedClient<AddRequest, AddResponse> client = await connecting;
        Assert.Equal(7, client.ClientId);
        s_serviceRings.Add(requests); // held (not collected) while the test runs: the client checks that its server lives
        return (clientChannel.Reader, replies, client); // the client's requests come in its own channel's first ring
    }

    private static byte[] Envelope(long correlationId, int status, byte[] body)
    {
        var record = new byte[ResponseEnvelope.Size + body.Length];
        var envelope = new ResponseEnvelope { CorrelationId = correlationId, Status = status };
        MemoryMarshal.Write(record, in envelope);
        body.CopyTo(record, ResponseEnvelope.Size);
        return record;
    }

    private static void WriteRaw(SharedChannelWriter replies, byte[] record)
    {
        using WriteClaim claim = replies.Claim(record.Length, Generous);
        record.CopyTo(claim.Payload);
        claim.Commit();
    }

    private static async Task<(RequestEnvelope Envelope, T Body)> ReadRecordAsync<T>(SharedChannelReader requests, Func<byte[], T> body)
    {
        while (true)
        {
            if (requests.TryLease(out ReadLease lease))
            {
                using (lease)
                {
                    return (MemoryMarshal.Read<RequestEnvelope>(lease.Payload), body(lease.Payload.Slice(RequestEnvelope.Size).ToArray()));
                }
            }

            Assert.True(await requests.WaitToReadAsync(Generous));
        }
    }

    private static void Write(SharedChannelWriter replies, long correlationId, int status, int value, long sum)
    {
        using WriteClaim claim = replies.Claim(ResponseEnvelope.Size + Unsafe.SizeOf<AddResponse>(), Generous);
        var envelope = new ResponseEnvelope { CorrelationId = correlationId, Status = status, Value = value };
        MemoryMarshal.Write(claim.Payload, in envelope);
        MemoryMarshal.Write(claim.Payload.Slice(ResponseEnvelope.Size), new AddResponse { Sum = sum });
        claim.Commit();
    }
}
