using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Bench.Harness;
using NeoBuffer.Bench.Measurements;
using NeoBuffer.Bench.Report;
using NeoBuffer.Testing;

namespace NeoBuffer.Bench.Transports;

/// <summary>
/// Request/response through <see cref="SharedServer{TRequest, TResponse}"/>: a server child answers each request with
/// its body sent back, read in place in the request ring and copied straight into the claimed reply (the handler
/// finishes synchronously, so the request is never copied out); this process runs CLIENTS clients (each its own <see cref="SharedClient{TRequest, TResponse}"/>,
/// its own response ring), each sending one request at a time, built in place, and reading the response's every byte.
/// A sample is the time from before the claim of the request to the response in hand. Two ways, as a user would write
/// them: <see cref="Scenarios.NeoBuffer"/> gives each client a thread of its own that blocks in
/// <see cref="RequestClaim{TRequest, TResponse}.Send"/> (as the socket clients block in recv(2) and the gRPC clients in
/// a blocking call); <see cref="Scenarios.NeoBufferAsync"/> runs each client as an async loop awaiting
/// <see cref="RequestClaim{TRequest, TResponse}.SendAsync"/>, so a parked request's continuation runs on the thread pool.
/// </summary>
internal static class NeoBufferRequests
{
    public const string ServerVerb = "request-server";

    // Both sides spin about 1 ms before they park (the round trip the target is stated for is a spinning one).
    private const int SpinCount = 2500;

    public static Measurement Measure(BenchRun run, int messageBytes, int clients, bool blocking)
    {
        string name = run.NextName("service");
        using ChildProcess server = BenchChildren.Start(ServerVerb, run.Directory, name);
        return blocking
            ? RequestClients.Run(run, Scenarios.NeoBuffer, messageBytes, clients, (_, total, timer) => Ask(run.Directory, name, messageBytes, total, timer, server))
            : RequestClients.RunAsync(run, Scenarios.NeoBufferAsync, messageBytes, clients, (_, total, timer) => AskAsync(run.Directory, name, messageBytes, total, timer, server));
    }

    private static void Ask(string directory, string name, int messageBytes, int total, RoundTripTimer timer, ChildProcess server)
    {
        using var asker = new Asker(directory, name, messageBytes);
        for (int i = 0; i < total; i++)
        {
            long start = Stopwatch.GetTimestamp();
            RequestClaim<BenchRequest, BenchResponse> claim = asker.Build(i);
            using ResponseLease<BenchResponse> response = claim.Send(BenchRun.ChildTimeout);
            asker.Accept(response, i);
            timer.Record(Stopwatch.GetTimestamp() - start);
        }

        server.ThrowIfExited();
    }

    private static async Task AskAsync(string directory, string name, int messageBytes, int total, RoundTripTimer timer, ChildProcess server)
    {
        using var asker = new Asker(directory, name, messageBytes);
        for (int i = 0; i < total; i++)
        {
            long start = Stopwatch.GetTimestamp();
            using ResponseLease<BenchResponse> response = await asker.SendAsync(i).ConfigureAwait(false);
            asker.Accept(response, i);
            timer.Record(Stopwatch.GetTimestamp() - start);
        }

        server.ThrowIfExited();
    }

    /// <summary>One client's side of the session: its connection, the request it copies in, and the check of each response.</summary>
    private sealed class Asker : IDisposable
    {
        private readonly SharedClient<BenchRequest, BenchResponse> _client;
        private readonly MessageSource _source;
        private readonly MessageCheck _check = new();
        private readonly int _messageBytes;
        private readonly int _bodyBytes;

        public Asker(string directory, string name, int messageBytes)
        {
            var options = new SharedChannelOptions { Directory = directory, Capacity = RequestPlan.RingCapacity, SpinCount = SpinCount };
            _client = SharedChannel.ConnectAsync<BenchRequest, BenchResponse>(name, options, BenchRun.ChildTimeout).AsTask().GetAwaiter().GetResult();
            _messageBytes = messageBytes;
            _bodyBytes = messageBytes - BenchRequest.Builder.LengthFor(0);
            _source = new MessageSource(_bodyBytes);
        }

        /// <summary>Claims request <paramref name="sequence"/> in place and fills it, ready to send.</summary>
        public RequestClaim<BenchRequest, BenchResponse> Build(int sequence)
        {
            RequestClaim<BenchRequest, BenchResponse> claim = _client.ClaimRequest(_messageBytes, BenchRun.ChildTimeout);
            var request = new BenchRequest.Builder(claim.Payload, _bodyBytes) { Sequence = sequence };
            _source.FillInto(request.Body, sequence);
            return claim;
        }

        // The claim is a ref struct: built and sent here, outside the async loop, which awaits what this returns.
        public ValueTask<ResponseLease<BenchResponse>> SendAsync(int sequence) => Build(sequence).SendAsync(BenchRun.ChildTimeout);

        public void Accept(ResponseLease<BenchResponse> response, int sequence)
        {
            var view = new BenchResponse.View(response.Payload);
            _check.Accept(view.Body);
            if (view.Sequence != sequence)
            {
                throw new InvalidOperationException($"Request {sequence} got the response to {view.Sequence}.");
            }
        }

        public void Dispose() => _client.Dispose();
    }

    /// <summary>The server child: <c>DIRECTORY NAME</c>; serves until killed, each response the request's body sent back.</summary>
    public static void Serve(string[] args)
    {
        var options = new SharedChannelOptions { Directory = args[0], Capacity = RequestPlan.RingCapacity, SpinCount = SpinCount * 16, MaxProducers = 8 };
        using SharedServer<BenchRequest, BenchResponse> server = SharedChannel.CreateServer<BenchRequest, BenchResponse>(args[1], options);
        Console.WriteLine("ready");
        server.ServeAsync(request =>
        {
            var asked = new BenchRequest.View(request.Payload);
            ReplyClaim claim;
            while (!request.TryClaimReply(request.Payload.Length, out claim))
            {
                Thread.SpinWait(10); // the client reads its ring at once: room comes back within moments
            }

            var answer = new BenchResponse.Builder(claim.Payload, asked.Body.Length) { Sequence = asked.Sequence };
            asked.Body.CopyTo(answer.Body);
            claim.Commit();
            return ValueTask.CompletedTask;
        }).GetAwaiter().GetResult();
    }
}
