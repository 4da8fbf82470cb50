using System;
using NeoBuffer.Bench.Harness;
using NeoBuffer.Bench.Measurements;
using NeoBuffer.Bench.Report;

using NeoBuffer.Testing;

namespace NeoBuffer.Bench.Transports;

/// <summary>
/// SPSC throughput over a NeoBuffer channel: a child process claims, fills and commits messages as fast as the ring
/// takes them (waiting with <c>Claim</c> when it is full); this process leases each one, checks it in place and
/// releases it (waiting with <c>WaitToRead</c> when the ring is empty). Both sides use the default spin-then-park waits.
/// </summary>
internal static class NeoBufferThroughput
{
    public const string ProducerVerb = "neobuffer-produce";

    public static Measurement Measure(BenchRun run, int messageBytes) =>
        Measure(run, messageBytes, Scenarios.NeoBuffer, MeasurementPlan.RingCapacity(messageBytes));

    /// <summary>
    /// The same with a ring of <see cref="MeasurementPlan.LargeSmallMessageRing"/> (64 B only): on the AMD host's far
    /// placement the ring's size moved one-message-per-call throughput more than any change to the ring's code did
    /// (docs/benchmarks/notes.md, "Ring size and the far placement").
    /// </summary>
    public static Measurement MeasureLargeRing(BenchRun run, int messageBytes) =>
        Measure(run, messageBytes, Scenarios.NeoBufferLargeRing, MeasurementPlan.LargeSmallMessageRing);

    private static Measurement Measure(BenchRun run, int messageBytes, string transport, long capacity)
    {
        long block = run.Plan.ThroughputBlock(transport, messageBytes);
        long total = run.ThroughputTotal(block);
        using SharedChannelReader reader = CreateChannel(run, "spsc", messageBytes, capacity);
        using ChildProcess producer = BenchChildren.Start(ProducerVerb, run.Directory, reader.Name, messageBytes, total);
        var check = new MessageCheck();
        var timer = run.ThroughputTimer(block);
        for (long i = 0; i < total; i++)
        {
            ReadLease lease;
            while (!reader.TryLease(out lease))
            {
                PeerWait.ForMessage(reader, producer);
            }

            check.Accept(lease.Payload);
            lease.Dispose();
            timer.Count();
        }

        producer.WaitSuccess(BenchRun.ChildTimeout);
        return Measurement.Throughput(transport, messageBytes, block, timer.BlockSeconds());
    }

    /// <summary>The child: <c>DIRECTORY NAME MESSAGE_BYTES COUNT</c>.</summary>
    public static void Produce(string[] args)
    {
        using SharedChannelWriter writer = OpenChannel(args, out int messageBytes, out long count);
        var source = new MessageSource(messageBytes);
        Console.WriteLine("ready");
        for (long sequence = 0; sequence < count; sequence++)
        {
            WriteClaim claim = writer.Claim(messageBytes);
            source.FillInto(claim.Payload, sequence);
            claim.Commit();
        }

        writer.Complete();
    }

    /// <summary>The consumer's side of a throughput session: a fresh SPSC channel (by default sized for the message), read by this process.</summary>
    internal static SharedChannelReader CreateChannel(BenchRun run, string prefix, int messageBytes, long? capacity = null) =>
        SharedChannel.CreateReader(run.NextName(prefix), new SharedChannelOptions
        {
            Directory = run.Directory,
            Capacity = capacity ?? MeasurementPlan.RingCapacity(messageBytes),
            MaxMessageSize = messageBytes,
        });

    /// <summary>The producer child's side: opens the channel its arguments (<c>DIRECTORY NAME MESSAGE_BYTES COUNT</c>) name.</summary>
    internal static SharedChannelWriter OpenChannel(string[] args, out int messageBytes, out long count)
    {
        messageBytes = int.Parse(args[2]);
        count = long.Parse(args[3]);
        return SharedChannel.OpenWriter(args[1], new SharedChannelOptions { Directory = args[0] });
    }
}
