using System.Diagnostics;
using System.Linq;
using System.Net.Sockets;
using NeoBuffer.Bench.Harness;
using NeoBuffer.Bench.Measurements;
using NeoBuffer.Bench.Report;
using NeoBuffer.Testing;

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
        string[] names = Enumerable.Range(0, clients).Select(_ => run.NextName("uds-request")).ToArray();
        return RequestClients.Run(run, Scenarios.Uds, messageBytes, clients, (c, total, timer) =>
        {
            using Socket listener = UdsEndpoint.Listen(names[c]);
            using ChildProcess echo = BenchChildren.Start(UdsRoundTrip.EchoVerb, names[c], messageBytes, total);
            using var channel = new FramedStream(new NetworkStream(UdsEndpoint.Accept(listener), ownsSocket: true), messageBytes);
            var source = new MessageSource(messageBytes);
            var check = new MessageCheck();
            for (int i = 0; i < total; i++)
            {
                long start = Stopwatch.GetTimestamp();
                source.FillInto(channel.SendPayload(messageBytes), i);
                channel.SendFrame(messageBytes);
                check.Accept(channel.ReceiveFrame());
                timer.Record(Stopwatch.GetTimestamp() - start);
            }

            echo.WaitSuccess(BenchRun.ChildTimeout);
        });
    }
}
