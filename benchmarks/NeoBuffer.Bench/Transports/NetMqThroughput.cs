using System;
using NeoBuffer.Bench.Harness;
using NeoBuffer.Bench.Measurements;
using NeoBuffer.Bench.Report;
using NetMQ;
using NetMQ.Sockets;

using NeoBuffer.Testing;

namespace NeoBuffer.Bench.Transports;

/// <summary>
/// SPSC throughput over NetMQ PUSH/PULL on TCP loopback: a child process fills each message into a pooled NetMQ
/// message and sends it (NetMQ's I/O thread batches them into the socket); this process's PULL socket receives each
/// one and checks it in NetMQ's buffer. The child keeps its socket open until this process says it has them all.
/// </summary>
internal static class NetMqThroughput
{
    public const string ProducerVerb = "netmq-produce";

    public static Measurement Measure(BenchRun run, int messageBytes)
    {
        long block = run.Plan.ThroughputBlock(Scenarios.NetMq, messageBytes);
        bool warmupFloor = messageBytes < MeasurementPlan.Large; // MeasurementPlan.WarmupBlocksFor says why not at 8 MiB
        long total = run.ThroughputTotal(block, warmupFloor);

        using var pull = new PullSocket();
        int port = pull.BindRandomPort(NetMqEndpoint.Host);
        using ChildProcess producer = BenchChildren.Start(ProducerVerb, port, messageBytes, total);
        var check = new MessageCheck();
        var timer = run.ThroughputTimer(block, warmupFloor);
        var message = new Msg();
        message.InitEmpty();
        for (long i = 0; i < total; i++)
        {
            NetMqEndpoint.Receive(pull, ref message, producer);
            check.Accept(message.Slice());
            timer.Count();
        }

        message.Close();
        producer.Go();
        producer.WaitSuccess(BenchRun.ChildTimeout);
        return Measurement.Throughput(Scenarios.NetMq, messageBytes, block, timer.BlockSeconds());
    }

    /// <summary>The child: <c>PORT MESSAGE_BYTES COUNT</c>.</summary>
    public static void Produce(string[] args)
    {
        int messageBytes = int.Parse(args[1]);
        long count = long.Parse(args[2]);
        var source = new MessageSource(messageBytes);
        using (var push = NetMqEndpoint.Connect(new PushSocket(), args[0]))
        {
            Console.WriteLine("ready");
            var message = new Msg();
            for (long sequence = 0; sequence < count; sequence++)
            {
                message.InitPool(messageBytes);
                source.FillInto(message.Slice(), sequence);
                push.Send(ref message, more: false);
            }

            // Keep the socket until the parent has received everything: closing it early loses what NetMQ still queues.
            ParentWatch.WaitForGo();
        }

        NetMqEndpoint.Drain();
    }
}
