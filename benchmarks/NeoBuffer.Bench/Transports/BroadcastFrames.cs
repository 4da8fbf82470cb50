using System;
using System.Linq;
using NeoBuffer.Bench.Harness;
using NeoBuffer.Bench.Measurements;
using NeoBuffer.Bench.Report;

using NeoBuffer.Testing;

namespace NeoBuffer.Bench.Transports;

/// <summary>
/// 8 MiB frames broadcast to S tethered subscriber processes: this process is the producer and claims each frame in the
/// ring, fills it in place (the one copy) and commits it; each subscriber leases every frame in place and reads every
/// byte once. Timed is the producer: frames it commits per second, which the slowest subscriber holds back once the
/// ring is full.
/// </summary>
internal static class BroadcastFrames
{
    public const string SubscriberVerb = "broadcast-subscribe";

    public static Measurement Measure(BenchRun run, int subscribers)
    {
        const int frameBytes = MeasurementPlan.Large;
        long block = run.Plan.FramesBlock;
        long total = run.ThroughputTotal(block);
        string name = run.NextName("bcast");
        var options = new SharedChannelOptions
        {
            Directory = run.Directory,
            Topology = ChannelTopology.Broadcast,
            Capacity = MeasurementPlan.RingCapacity(frameBytes),
            MaxMessageSize = frameBytes,
        };

        using SharedChannelWriter writer = SharedChannel.CreateWriter(name, options);

        // All subscribed (from the oldest frame) before the first frame, so each reads frames 0, 1, 2, ... in order.
        ChildProcess[] readers = BenchChildren.StartAll(SubscriberVerb, Enumerable.Repeat<object[]>([run.Directory, name, frameBytes, total], subscribers).ToList(), pinned: false);
        try
        {
            var source = new MessageSource(frameBytes);
            var timer = run.ThroughputTimer(block);
            for (long sequence = 0; sequence < total; sequence++)
            {
                WriteClaim claim = writer.Claim(frameBytes, BenchRun.ChildTimeout);
                source.FillInto(claim.Payload, sequence);
                claim.Commit();
                timer.Count();
            }

            writer.Complete();
            Array.ForEach(readers, reader => reader.WaitSuccess(BenchRun.ChildTimeout));
            return Measurement.Throughput(Scenarios.NeoBuffer, frameBytes, block, timer.BlockSeconds()) with { Scenario = Scenarios.Broadcast, Subscribers = subscribers };
        }
        finally
        {
            Array.ForEach(readers, reader => reader.Dispose());
        }
    }

    /// <summary>The child: <c>DIRECTORY NAME FRAME_BYTES COUNT</c>; a tethered subscriber that checks and reads COUNT frames.</summary>
    public static void Subscribe(string[] args)
    {
        int frameBytes = int.Parse(args[2]);
        long count = long.Parse(args[3]);
        var options = new SharedChannelOptions { Directory = args[0], SubscriberStart = SubscriberStart.Oldest };
        using SharedChannelReader reader = SharedChannel.OpenReader(args[1], options);
        var check = new MessageCheck();
        Console.WriteLine("ready");
        while (check.Received < count)
        {
            if (!reader.TryLease(out ReadLease lease))
            {
                reader.WaitToRead(BenchRun.ChildTimeout);
                continue;
            }

            if (lease.Length != frameBytes)
            {
                throw new InvalidOperationException($"A frame of {lease.Length} bytes, not {frameBytes}.");
            }

            check.Accept(lease.Payload);
            lease.Dispose();
        }
    }
}
