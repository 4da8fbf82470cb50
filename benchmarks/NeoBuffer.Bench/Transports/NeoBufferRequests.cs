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
/// its body sent back; this process runs CLIENTS clients (each its own <see cref="SharedClient{TRequest, TResponse}"/>,
/// its own response ring, on a thread of its own), each sending one request at a time, built in place, and reading the
/// response's every byte. A sample is the time from before the claim of the request to the response in hand.
/// </summary>
internal static class NeoBufferRequests
{
    public const string ServerVerb = "request-server";

    // Both sides spin about 1 ms before they park (the round trip the target is stated for is a spinning one).
    private const int SpinCount = 2500;

    public static Measurement Measure(BenchRun run, int messageBytes, int clients)
    {
        string name = run.NextName("service");
        using ChildProcess server = BenchChildren.Start(ServerVerb, run.Directory, name);
        return RequestClients.Run(run, Scenarios.NeoBuffer, messageBytes, clients, (_, total, timer) => Ask(run.Directory, name, messageBytes, total, timer, server));
    }

    private static void Ask(string directory, string name, int messageBytes, int total, RoundTripTimer timer, ChildProcess server)
    {
        var options = new SharedChannelOptions { Directory = directory, Capacity = RequestPlan.RingCapacity, SpinCount = SpinCount };
        using SharedClient<BenchRequest, BenchResponse> client = SharedChannel.ConnectAsync<BenchRequest, BenchResponse>(name, options, BenchRun.ChildTimeout)
            .AsTask().GetAwaiter().GetResult();
        int bodyBytes = messageBytes - BenchRequest.Builder.LengthFor(0);
        var source = new MessageSource(bodyBytes);
        var check = new MessageCheck();
        for (int i = 0; i < total; i++)
        {
            long start = Stopwatch.GetTimestamp();
            RequestClaim<BenchRequest, BenchResponse> claim = client.ClaimRequest(messageBytes, BenchRun.ChildTimeout);
            var request = new BenchRequest.Builder(claim.Payload, bodyBytes) { Sequence = i };
            source.FillInto(request.Body, i);
            ValueTask<ResponseLease<BenchResponse>> pending = claim.SendAsync(BenchRun.ChildTimeout);
            using ResponseLease<BenchResponse> response = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
            var view = new BenchResponse.View(response.Payload);
            check.Accept(view.Body);
            long end = Stopwatch.GetTimestamp();
            if (view.Sequence != i)
            {
                throw new InvalidOperationException($"Request {i} got the response to {view.Sequence}.");
            }

            timer.Record(end - start);
        }

        server.ThrowIfExited();
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
