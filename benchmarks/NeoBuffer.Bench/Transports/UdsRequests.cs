using System.Diagnostics;
using System.Linq;
using System.Net.Sockets;
using System.Threading.Tasks;
using NeoBuffer.Bench.Harness;
using NeoBuffer.Bench.Measurements;
using NeoBuffer.Bench.Report;

namespace NeoBuffer.Bench.Transports;

/// <summary>
/// Plain request/response over Unix domain sockets, the baseline of the <c>request</c> run: CLIENTS connections, each
/// answered by an echo child of its own (the socket's echo is its request/response: the request sent back), each
/// driven by a thread of this process sending one request at a time and blocking in recv(2) for the response.
/// </summary>
internal static class UdsRequests
{
    public static Measurement Measure(BenchRun run, int messageBytes, int clients)
    {
        int block = RequestPlan.Block(run.Plan, Scenarios.Uds, messageBytes);
        int total = run.RoundTripTotal(block);
        var timers = new RoundTripTimer[clients];
        string[] names = Enumerable.Range(0, clients).Select(_ => run.NextName("uds-request")).ToArray();
        Task[] loops = Enumerable.Range(0, clients).Select(c => Task.Factory.StartNew(() =>
        {
            string name = names[c];
            using Socket listener = UdsEndpoint.Listen(name);
            using BenchChild echo = BenchChild.Start(UdsRoundTrip.EchoVerb, name, messageBytes, total);
            using var channel = new FramedStream(new NetworkStream(UdsEndpoint.Accept(listener), ownsSocket: true), messageBytes);
            timers[c] = new RoundTripTimer(block * run.Plan.WarmupBlocks, block, run.Plan.Blocks);
            var source = new MessageSource(messageBytes);
            var check = new MessageCheck();
            for (int i = 0; i < total; i++)
            {
                long start = Stopwatch.GetTimestamp();
                source.FillInto(channel.SendPayload(messageBytes), i);
                channel.SendFrame(messageBytes);
                check.Accept(channel.ReceiveFrame());
                timers[c].Record(Stopwatch.GetTimestamp() - start);
            }

            echo.WaitSuccess(BenchRun.ChildTimeout);
        }, TaskCreationOptions.LongRunning)).ToArray();
        Task.WaitAll(loops);
        return Measurement.RoundTrip(Scenarios.Uds, messageBytes, block, timers.SelectMany(t => t.Blocks).ToArray()) with
        {
            Scenario = Scenarios.Request,
            Producers = clients,
        };
    }
}
