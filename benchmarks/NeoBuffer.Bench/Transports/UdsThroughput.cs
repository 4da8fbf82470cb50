using System;
using System.Net.Sockets;
using NeoBuffer.Bench.Harness;
using NeoBuffer.Bench.Measurements;
using NeoBuffer.Bench.Report;

namespace NeoBuffer.Bench.Transports;

/// <summary>
/// SPSC throughput over a Unix domain stream socket: a child process fills each message into its send buffer and sends
/// it as one frame (one send(2) per message); this process receives frames and checks each one.
/// </summary>
internal static class UdsThroughput
{
    public const string ProducerVerb = "uds-produce";

    public static Measurement Measure(BenchRun run, int messageBytes)
    {
        long block = run.Plan.ThroughputBlock(Scenarios.Uds, messageBytes);
        long total = run.ThroughputTotal(block);
        string name = run.NextName("uds");

        using Socket listener = UdsEndpoint.Listen(name);
        using BenchChild producer = BenchChild.Start(ProducerVerb, name, messageBytes, total);
        using var channel = new FramedSocket(UdsEndpoint.Accept(listener), messageBytes);
        var check = new MessageCheck();
        var timer = new BlockTimer(block * run.Plan.WarmupBlocks, block, run.Plan.Blocks);
        for (long i = 0; i < total; i++)
        {
            check.Accept(channel.ReceiveFrame());
            timer.Count();
        }

        producer.WaitSuccess(BenchRun.ChildTimeout);
        return Measurement.Throughput(Scenarios.Uds, messageBytes, block, timer.BlockSeconds());
    }

    /// <summary>The child: <c>SOCKET_NAME MESSAGE_BYTES COUNT</c>.</summary>
    public static void Produce(string[] args)
    {
        int messageBytes = int.Parse(args[1]);
        long count = long.Parse(args[2]);
        using var channel = new FramedSocket(UdsEndpoint.Connect(args[0]), messageBytes);
        var source = new MessageSource(messageBytes);
        Console.WriteLine("ready");
        for (long sequence = 0; sequence < count; sequence++)
        {
            source.FillInto(channel.SendPayload(messageBytes), sequence);
            channel.SendFrame(messageBytes);
        }
    }
}
