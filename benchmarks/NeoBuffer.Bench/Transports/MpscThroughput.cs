using System;
using System.Linq;
using System.Runtime.InteropServices;
using NeoBuffer.Bench.Harness;
using NeoBuffer.Bench.Measurements;
using NeoBuffer.Bench.Report;

using NeoBuffer.Testing;

namespace NeoBuffer.Bench.Transports;

/// <summary>
/// 64 B messages from P producer processes into one MPSC consumer (this process). Each producer claims, fills and
/// commits as fast as the ring takes them, stamping its sequence number in bytes 0-7 and its id in bytes 8-15; the
/// consumer checks each producer's sequence and reads every byte. Timed is the consumer: messages per second from all
/// producers together. The producers start together on a "go" and run until the consumer has counted enough.
/// </summary>
internal static class MpscThroughput
{
    public const string ProducerVerb = "mpsc-produce";

    public static Measurement Measure(BenchRun run, int producers)
    {
        const int messageBytes = MeasurementPlan.Small;
        long block = run.Plan.MpscBlock;
        long total = run.ThroughputTotal(block);
        string name = run.NextName("mpsc");
        var options = new SharedChannelOptions
        {
            Directory = run.Directory,
            Topology = ChannelTopology.MultiProducerSingleConsumer,
            Capacity = MeasurementPlan.RingCapacity(messageBytes),
            MaxMessageSize = messageBytes,
        };

        using SharedChannelReader reader = SharedChannel.CreateReader(name, options);
        ChildProcess[] writers = BenchChildren.StartAll(ProducerVerb, Enumerable.Range(0, producers).Select(p => new object[] { run.Directory, name, p, messageBytes }).ToList(), pinned: false);
        try
        {
            MessageCheck[] checks = Enumerable.Range(0, producers).Select(_ => new MessageCheck()).ToArray();
            var timer = run.ThroughputTimer(block);
            Array.ForEach(writers, writer => writer.Go());
            for (long i = 0; i < total; i++)
            {
                ReadLease lease;
                while (!reader.TryLease(out lease))
                {
                    PeerWait.ForMessage(reader, writers);
                }

                long producer = MemoryMarshal.Read<long>(lease.Payload[sizeof(long)..]);
                if ((ulong)producer >= (ulong)producers)
                {
                    throw new InvalidOperationException($"A message from producer {producer}, of {producers}.");
                }

                checks[producer].Accept(lease.Payload);
                lease.Dispose();
                timer.Count();
            }

            return Measurement.Throughput(Scenarios.NeoBuffer, messageBytes, block, timer.BlockSeconds()) with { Scenario = Scenarios.Mpsc, Producers = producers };
        }
        finally
        {
            // The producers never stop by themselves: they are killed once the consumer has counted enough.
            Array.ForEach(writers, writer => writer.Dispose());
        }
    }

    /// <summary>The child: <c>DIRECTORY NAME PRODUCER MESSAGE_BYTES</c>; on "go", writes messages until killed.</summary>
    public static void Produce(string[] args)
    {
        long producer = long.Parse(args[2]);
        int messageBytes = int.Parse(args[3]);
        using SharedChannelWriter writer = SharedChannel.OpenWriter(args[1], new SharedChannelOptions { Directory = args[0] });
        var source = new MessageSource(messageBytes);
        Console.WriteLine("ready");
        ParentWatch.WaitForGo();
        for (long sequence = 0; ; sequence++)
        {
            WriteClaim claim = writer.Claim(messageBytes, BenchRun.ChildTimeout);
            source.FillInto(claim.Payload, sequence);
            MemoryMarshal.Write(claim.Payload[sizeof(long)..], in producer);
            claim.Commit();
        }
    }
}
