using System;
using NeoBuffer.Bench.Harness;
using NeoBuffer.Bench.Measurements;

using NeoBuffer.Testing;

namespace NeoBuffer.Bench.Transports;

/// <summary>
/// The two ends of a throughput session over a <see cref="FramedStream"/> (a socket or a pipe): the producer child fills
/// and sends one frame per message; this process receives, checks and times them.
/// </summary>
internal static class FramedThroughput
{
    /// <summary>In this process: receives the warm-up and timed blocks from <paramref name="producer"/>.</summary>
    public static Measurement Consume(BenchRun run, string transport, int messageBytes, FramedStream channel, ChildProcess producer)
    {
        long block = run.Plan.ThroughputBlock(transport, messageBytes);
        long total = run.ThroughputTotal(block);
        var check = new MessageCheck();
        var timer = run.ThroughputTimer(block);
        for (long i = 0; i < total; i++)
        {
            check.Accept(channel.ReceiveFrame());
            timer.Count();
        }

        producer.WaitSuccess(BenchRun.ChildTimeout);
        return Measurement.Throughput(transport, messageBytes, block, timer.BlockSeconds());
    }

    /// <summary>In the child: says "ready", then sends <paramref name="count"/> messages.</summary>
    public static void Produce(FramedStream channel, int messageBytes, long count)
    {
        var source = new MessageSource(messageBytes);
        Console.WriteLine("ready");
        for (long sequence = 0; sequence < count; sequence++)
        {
            source.FillInto(channel.SendPayload(messageBytes), sequence);
            channel.SendFrame(messageBytes);
        }
    }
}
