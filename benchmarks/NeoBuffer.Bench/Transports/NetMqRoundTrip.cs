using System;
using System.Diagnostics;
using NeoBuffer.Bench.Harness;
using NeoBuffer.Bench.Measurements;
using NeoBuffer.Bench.Report;
using NetMQ;
using NetMQ.Sockets;

using NeoBuffer.Testing;

namespace NeoBuffer.Bench.Transports;

/// <summary>
/// 64 B round trip over NetMQ REQ/REP on TCP loopback: this process sends a request and blocks for the reply; the child's
/// REP socket blocks for each request and sends the same message back. Each hop goes through NetMQ's I/O thread in
/// both processes.
/// </summary>
internal static class NetMqRoundTrip
{
    public const string EchoVerb = "netmq-echo";

    public static Measurement Measure(BenchRun run, int messageBytes)
    {
        int block = run.Plan.RoundTripBlock(Scenarios.NetMq);
        int total = run.RoundTripTotal(block);

        using var request = new RequestSocket();
        int port = request.BindRandomPort(NetMqEndpoint.Host);
        using ChildProcess echo = BenchChildren.Start(EchoVerb, port, messageBytes, total);
        var source = new MessageSource(messageBytes);
        var check = new MessageCheck();
        var timer = new RoundTripTimer(block * run.Plan.WarmupBlocks, block, run.Plan.Blocks);
        var message = new Msg();
        for (int i = 0; i < total; i++)
        {
            long start = Stopwatch.GetTimestamp();
            message.InitPool(messageBytes);
            source.FillInto(message.Slice(), i);
            request.Send(ref message, more: false);
            NetMqEndpoint.Receive(request, ref message, echo);
            long end = Stopwatch.GetTimestamp();
            check.Accept(message.Slice());
            message.Close();
            timer.Record(end - start);
        }

        echo.WaitSuccess(BenchRun.ChildTimeout);
        return Measurement.RoundTrip(Scenarios.NetMq, messageBytes, block, timer.Blocks);
    }

    /// <summary>The child: <c>PORT MESSAGE_BYTES COUNT</c>; echoes COUNT requests.</summary>
    public static void Echo(string[] args)
    {
        int count = int.Parse(args[2]);
        using (var reply = NetMqEndpoint.Connect(new ResponseSocket(), args[0]))
        {
            Console.WriteLine("ready");
            var message = new Msg();
            message.InitEmpty();
            for (int i = 0; i < count; i++)
            {
                reply.Receive(ref message);
                reply.Send(ref message, more: false);
            }

            message.Close();
        }

        NetMqEndpoint.Drain();
    }
}
