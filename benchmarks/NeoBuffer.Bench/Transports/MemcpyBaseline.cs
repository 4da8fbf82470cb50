using System;
using NeoBuffer.Bench.Harness;
using NeoBuffer.Bench.Measurements;
using NeoBuffer.Bench.Report;

namespace NeoBuffer.Bench.Transports;

/// <summary>
/// The raw limit for large messages: one thread of this process copies the message from a private buffer into the next
/// slot of a destination region as large as the ring the channel uses for that size (so the copy works on the same
/// amount of memory, and leaves the cache the way the producer's fill does). This is exactly the producer's fill
/// without a ring and without a consumer; a channel cannot beat it.
/// </summary>
internal static class MemcpyBaseline
{
    public static Measurement Measure(BenchRun run, int messageBytes)
    {
        long block = run.Plan.ThroughputBlock(Scenarios.Memcpy, messageBytes);
        long total = run.ThroughputTotal(block);
        var source = new MessageSource(messageBytes);
        int slotBytes = (messageBytes + 63) & ~63;
        long regionBytes = MeasurementPlan.RingCapacity(messageBytes);
        int slots = (int)(regionBytes / slotBytes);
        byte[] region = GC.AllocateUninitializedArray<byte>((int)regionBytes, pinned: true);
        region.AsSpan().Fill(1); // fault every page in before timing

        var timer = run.ThroughputTimer(block);
        int slot = 0;
        for (long i = 0; i < total; i++)
        {
            source.Bytes.CopyTo(region.AsSpan(slot * slotBytes, messageBytes));
            if (++slot == slots)
            {
                slot = 0;
            }

            timer.Count();
        }

        return Measurement.Throughput(Scenarios.Memcpy, messageBytes, block, timer.BlockSeconds());
    }
}
