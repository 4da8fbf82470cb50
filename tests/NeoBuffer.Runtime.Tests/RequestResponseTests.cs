using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using NeoBuffer.Requests;
using NeoBuffer.Testing;
using NeoBuffer.TestHost.Messages;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// Request/response between real processes: many clients of one server with answers out of order, clients killed in
/// the middle of requests, a server killed with requests pending; and, in one process, schemas, failures, timeouts and
/// variable-length messages.
/// </summary>
public sealed class RequestResponseTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Four_client_processes_each_get_their_own_answers_back_out_of_order()
    {
        using var channel = new TestChannel("rr");
        using var serving = new CancellationTokenSource();
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16));
        Task serve = Task.Run(() => server.ServeAsync(AddAnswer.Answer, serving.Token));

        var clients = Enumerable.Range(0, 4).Select(_ => ChildProcess.Start("add-client", channel.Directory, channel.Name, "400", "16")).ToList();
        try
        {
            long reordered = 0;
            foreach (ChildProcess client in clients)
            {
                Assert.True(0 == await client.ExitCodeAsync(Generous), client.Output);
                Assert.Contains("done 400", client.Output);
                reordered += long.Parse(client.Output.Split('\n').Single(l => l.StartsWith("reordered ")).Substring("reordered ".Length));
            }

            Assert.True(reordered > 0, "no answer came back out of order");
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
            serving.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => serve.WaitAsync(Generous));
        }
    }

    [Fact]
    public async Task Clients_killed_with_requests_in_flight_or_in_mid_claim_cost_the_server_only_their_answers()
    {
        using var channel = new TestChannel("rr");
        using var serving = new CancellationTokenSource();
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16));
        var held = new List<IncomingRequest<AddRequest, AddResponse>>();
        Task serve = Task.Run(() => server.ServeAsync(request =>
        {
            if (request.Message.DelayMs < 0)
            {
                lock (held)
                {
                    held.Add(request); // answered after its client died: see below
                }

                return new ValueTask(Task.Delay(Timeout.Infinite, serving.Token));
            }

            return AddAnswer.Answer(request);
        }, serving.Token));

        // One client dies with 8 requests in flight; another dies inside the claim of its request (MPSC recovery).
        using (ChildProcess hanging = ChildProcess.Start("add-client", channel.Directory, channel.Name, "8", "1", "hang"))
        using (ChildProcess claiming = ChildProcess.StartWith(new Dictionary<string, string> { ["NEOBUFFER_KILL_AT"] = "mpsc.filling@2" }, "add-client", channel.Directory, channel.Name, "10", "1"))
        {
            await hanging.WaitForLineAsync("sent", Generous);
            await Poll.UntilAsync(() => { lock (held) { return held.Count == 8; } }, Generous, "the 8 requests of the hanging client");
            hanging.Kill();
            Assert.NotEqual(0, await claiming.ExitCodeAsync(Generous));
            await hanging.ExitCodeAsync(Generous);
        }

        // Answering the dead client's requests costs nothing: the answers go, or are refused, without waiting.
        foreach (IncomingRequest<AddRequest, AddResponse> request in held)
        {
            request.TryReply(new AddResponse { Sum = -1 });
        }

        // The server serves on, and lets go of the dead clients' rings.
        using SharedClient<AddRequest, AddResponse> client = await SharedChannel.ConnectAsync<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16), Generous);
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(i + 2, (await client.RequestAsync(new AddRequest { A = i, B = 2 }, Generous)).Sum);
        }

        await Poll.UntilAsync(() => server.ClientCount == 1, Generous, "the server to drop its dead clients");
        serving.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => serve.WaitAsync(Generous));
    }

    [Fact]
    public async Task A_killed_server_fails_every_pending_request_and_every_later_one()
    {
        using var channel = new TestChannel("rr");
        using ChildProcess serverProcess = ChildProcess.Start("add-server", channel.Directory, channel.Name);
        Assert.Equal("ready", await serverProcess.FirstLineAsync(Generous));
        using SharedClient<AddRequest, AddResponse> client = await SharedChannel.ConnectAsync<AddRequest, AddResponse>(channel.Name, channel.Options(), Generous);
        Assert.Equal(3, (await client.RequestAsync(new AddRequest { A = 1, B = 2 }, Generous)).Sum);

        var pending = Enumerable.Range(0, 10).Select(i => client.RequestAsync(new AddRequest { A = i, DelayMs = -1 }).AsTask()).ToList();
        serverProcess.Kill();
        await serverProcess.ExitCodeAsync(Generous);

        foreach (Task<AddResponse> request in pending)
        {
            ChannelClosedException failed = await Assert.ThrowsAsync<ChannelClosedException>(() => request.WaitAsync(Generous));
            Assert.Contains("died", failed.Message);
        }

        await Assert.ThrowsAsync<ChannelClosedException>(async () => await client.RequestAsync(new AddRequest(), Generous));
    }

    [Fact]
    public async Task A_client_of_another_schema_is_refused_at_connect_with_both_schemas_shown()
    {
        using var channel = new TestChannel("rr");
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, channel.Options());
        ChannelSchemaMismatchException refused = await Assert.ThrowsAsync<ChannelSchemaMismatchException>(
            async () => await SharedChannel.ConnectAsync<EchoRequest, AddResponse>(channel.Name, channel.Options(), Generous));
        Assert.Contains(EchoRequest.Layout.SchemaText, refused.ExpectedSchema);
        Assert.Contains(AddRequest.Layout.SchemaText, refused.ActualSchema);
        Assert.Contains(AddResponse.Layout.SchemaText, refused.Message);

        // Which message differs, and how: not that the server's text "does not parse" (it is no single message's).
        Assert.Contains($"the request: {EchoRequest.Layout.Name} here, {AddRequest.Layout.Name} at the server", refused.Message);
        Assert.DoesNotContain("the response:", refused.Message);
        Assert.DoesNotContain("does not parse", refused.Message);
        await Assert.ThrowsAsync<ChannelNotFoundException>(async () => await SharedChannel.ConnectAsync<AddRequest, AddResponse>(channel.Name + "-none", channel.Options(), Generous));
    }

    [Fact]
    public void A_service_schema_that_differs_in_one_message_s_fields_is_explained_by_that_message_alone()
    {
        // The server's response has the same name and another layout (its ServerPid widened): the request is the same.
        string ours = ServiceSchema<AddRequest, AddResponse>.Layout.SchemaText;
        string theirs = ours.Replace("field ServerPid scalar offset=8 size=4 type=int32", "field ServerPid scalar offset=8 size=8 type=int64", StringComparison.Ordinal);
        Assert.NotEqual(ours, theirs);

        string differences = Assert.IsType<string>(ServiceSchemaDifference.Explain(ours, theirs));
        Assert.StartsWith($"  - the response: {AddResponse.Layout.Name} differs here and at the server: ", differences);
        Assert.Contains("ServerPid", differences);
        Assert.DoesNotContain("the request", differences);
        Assert.Null(ServiceSchemaDifference.Explain(ours, AddRequest.Layout.SchemaText)); // not a service schema: nothing to say
    }

    [Fact]
    public async Task Failures_timeouts_and_cancellations_end_only_their_own_request()
    {
        using var channel = new TestChannel("rr");
        using var serving = new CancellationTokenSource();
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, channel.Options());
        Task serve = Task.Run(() => server.ServeAsync(request => request.Message.A switch
        {
            13 => throw new InvalidOperationException("thirteen is refused"),
            14 => ValueTask.CompletedTask, // no reply at all
            _ => AddAnswer.Answer(request),
        }, serving.Token));
        using SharedClient<AddRequest, AddResponse> client = await SharedChannel.ConnectAsync<AddRequest, AddResponse>(channel.Name, channel.Options(), Generous);

        RequestFailedException thrown = await Assert.ThrowsAsync<RequestFailedException>(async () => await client.RequestAsync(new AddRequest { A = 13 }, Generous));
        Assert.Contains("thirteen is refused", thrown.Message);
        Assert.Contains("without a reply", (await Assert.ThrowsAsync<RequestFailedException>(async () => await client.RequestAsync(new AddRequest { A = 14 }, Generous))).Message);
        await Assert.ThrowsAsync<TimeoutException>(async () => await client.RequestAsync(new AddRequest { A = 1, DelayMs = 2000 }, TimeSpan.FromMilliseconds(100)));
        using (var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await client.RequestAsync(new AddRequest { A = 1, DelayMs = 2000 }, cancel.Token));
        }

        // The late answers to the abandoned requests are dropped; each later request gets its own.
        for (int i = 0; i < 50; i++)
        {
            Assert.Equal(i + 105, (await client.RequestAsync(new AddRequest { A = i + 100, B = 5, DelayMs = i % 2 }, Generous)).Sum);
        }

        serving.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => serve.WaitAsync(Generous));
    }

    [Fact]
    public async Task Variable_length_requests_and_responses_are_built_and_read_in_place()
    {
        using var channel = new TestChannel("rr");
        using var serving = new CancellationTokenSource();
        using SharedServer<EchoRequest, EchoResponse> server = SharedChannel.CreateServer<EchoRequest, EchoResponse>(channel.Name, channel.Options(1 << 20));
        Task serve = Task.Run(async () =>
        {
            await foreach (IncomingRequest<EchoRequest, EchoResponse> request in server.ReadAllAsync(serving.Token))
            {
                using (request)
                {
                    var view = new EchoRequest.View(request.Payload);
                    Assert.True(request.TryClaimReply(EchoResponse.Builder.LengthFor(view.Data.Length), out ReplyClaim claim));
                    var reply = new EchoResponse.Builder(claim.Payload, view.Data.Length) { Id = view.Id };
                    view.Data.CopyTo(reply.Data);
                    reply.Data.Reverse();
                    claim.Commit();
                }
            }
        });
        using SharedClient<EchoRequest, EchoResponse> client = await SharedChannel.ConnectAsync<EchoRequest, EchoResponse>(channel.Name, channel.Options(1 << 20), Generous);

        foreach (int size in new[] { 0, 1, 64, 4096, 65536 })
        {
            byte[] data = Enumerable.Range(0, size).Select(i => (byte)(i * 7)).ToArray();
            RequestClaim<EchoRequest, EchoResponse> claim = client.ClaimRequest(EchoRequest.Builder.LengthFor(size), Generous);
            var request = new EchoRequest.Builder(claim.Payload, size) { Id = size };
            data.CopyTo(request.Data);
            using ResponseLease<EchoResponse> response = await claim.SendAsync(Generous);
            var view = new EchoResponse.View(response.Payload);
            Assert.Equal(size, view.Id);
            Assert.Equal(data.Reverse().ToArray(), view.Data.ToArray());
        }

        serving.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => serve.WaitAsync(Generous));
    }

    [Fact]
    public async Task Disposing_the_server_fails_the_pending_requests_of_its_clients()
    {
        using var channel = new TestChannel("rr");
        SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, channel.Options());
        var pending = new List<Task<AddResponse>>();
        using SharedClient<AddRequest, AddResponse> client = await ManualServing.ConnectAsync(server, channel);
        pending.Add(client.RequestAsync(new AddRequest { A = 1 }).AsTask());
        await Poll.UntilAsync(() => server.TryRead(out IncomingRequest<AddRequest, AddResponse> _), Generous, "the request to reach the server");
        server.Dispose();
        ChannelClosedException closed = await Assert.ThrowsAsync<ChannelClosedException>(() => pending[0].WaitAsync(Generous));
        Assert.Contains("closed", closed.Message);
    }
}
