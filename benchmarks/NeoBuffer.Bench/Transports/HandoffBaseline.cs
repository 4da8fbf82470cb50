using System;
using System.IO;
using NeoBuffer.Bench.Harness;
using NeoBuffer.Bench.Measurements;
using NeoBuffer.Bench.Report;
using NeoBuffer.Testing;

namespace NeoBuffer.Bench.Transports;

/// <summary>
/// The raw limit of handing large messages from one process to another: what a ring would cost with no ring protocol at
/// all. Two processes pinned apart share a plain buffer in /dev/shm of as many page-aligned message slots as the ring
/// of that size holds (63 of 64 KiB in 4 MiB, 3 of 8 MiB in 32 MiB), so the producer fills one while the consumer reads
/// another and either side may run ahead by as much as it could in the ring. (Two slots, double-buffered, was the first
/// version: on the loaded 2-vCPU VM it put the two processes in lockstep, and every time slice either lost stalled the
/// other, so it measured 0.17 GB/s at 64 KiB beside the ring's 1.04 in the same round: no limit at all.) The producer
/// child waits for a slot to be empty, fills it exactly as
/// NeoBuffer's producer fills a claim (<see cref="MessageSource.FillInto"/>) and flips the slot's flag word to full;
/// this process waits for it to be full, reads it exactly as NeoBuffer's consumer reads a lease
/// (<see cref="MessageCheck.Accept"/>) and flips it back. One flag store and one flag load per message on each side,
/// each in its own cache line: no positions, no headers. A channel cannot beat it; memcpy in one process is not the
/// limit of a hand-off between two.
/// <para>
/// Each side waits as the ring's sides do, spinning and then parking on the flag word (<see cref="ParkingCounter"/>),
/// so the limit holds under load too: with both sides only spinning, the ring measured 3x to 7x this baseline on the
/// loaded VM (a spinner waiting for a descheduled peer burns its slice). A slot's flag counts its laps, so it only
/// grows and a futex can watch it: in lap L (message <c>sequence / slots</c>) the slot is empty at 2L, full at 2L + 1,
/// and empty again for the next lap at 2L + 2. The two parked words, one per side, each have their own line.
/// </para>
/// </summary>
internal static class HandoffBaseline
{
    public const string ProducerVerb = "handoff-produce";

    private const int LineStride = 128; // two lines apart: adjacent-line prefetch never couples two words
    private const int ProducerParkedOffset = 0;
    private const int ConsumerParkedOffset = LineStride;
    private const int FlagsOffset = 2 * LineStride;
    private const int DataOffset = 3 * 4096; // room for the flags of up to 64 slots, page-aligned

    public static unsafe Measurement Measure(BenchRun run, int messageBytes)
    {
        long block = run.Plan.ThroughputBlock(Scenarios.Handoff, messageBytes);
        long total = run.ThroughputTotal(block);
        string path = Path.Combine(run.Directory, run.NextName("handoff"));
        long slotBytes = SlotBytes(messageBytes);
        int slots = SlotsFor(messageBytes);
        SharedMapping.CreateFile(path, DataOffset + (slots * slotBytes));

        try
        {
            using var shared = new SharedMapping(path);
            Prefault(shared.Base, DataOffset + (slots * slotBytes));
            using ChildProcess producer = BenchChildren.Start(ProducerVerb, path, messageBytes, total);
            ChildProcess[] peers = [producer];
            int* producerParked = (int*)(shared.Base + ProducerParkedOffset);
            int* consumerParked = (int*)(shared.Base + ConsumerParkedOffset);
            var check = new MessageCheck();
            var timer = run.ThroughputTimer(block);
            for (long i = 0; i < total; i++)
            {
                int slot = (int)(i % slots);
                long lap = i / slots;
                long* flag = Flag(shared.Base, slot);
                ParkingCounter.WaitUntil(flag, (2 * lap) + 1, consumerParked, peers); // acquire: the producer's fill happened before it published full
                check.Accept(new ReadOnlySpan<byte>(shared.Base + DataOffset + (slot * slotBytes), messageBytes));
                ParkingCounter.Publish(flag, (2 * lap) + 2, producerParked); // release: every read of the slot happened before the producer may refill it
                timer.Count();
            }

            producer.WaitSuccess(BenchRun.ChildTimeout);
            return Measurement.Throughput(Scenarios.Handoff, messageBytes, block, timer.BlockSeconds());
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The child: <c>FILE MESSAGE_BYTES COUNT</c>.</summary>
    public static unsafe void Produce(string[] args)
    {
        int messageBytes = int.Parse(args[1]);
        long count = long.Parse(args[2]);
        long slotBytes = SlotBytes(messageBytes);
        int slots = SlotsFor(messageBytes);
        using var shared = new SharedMapping(args[0]);
        var source = new MessageSource(messageBytes);
        int* producerParked = (int*)(shared.Base + ProducerParkedOffset);
        int* consumerParked = (int*)(shared.Base + ConsumerParkedOffset);
        Console.WriteLine("ready");
        for (long sequence = 0; sequence < count; sequence++)
        {
            int slot = (int)(sequence % slots);
            long lap = sequence / slots;
            long* flag = Flag(shared.Base, slot);
            ParkingCounter.WaitUntil(flag, 2 * lap, producerParked, peers: null); // like the channel's producer waiting for room; the child exits when the parent goes (ParentWatch)
            source.FillInto(new Span<byte>(shared.Base + DataOffset + (slot * slotBytes), messageBytes), sequence);
            ParkingCounter.Publish(flag, (2 * lap) + 1, consumerParked);
        }
    }

    private static unsafe long* Flag(byte* start, int slot) => (long*)(start + FlagsOffset + (slot * LineStride));

    // As many whole messages as the ring of that size holds (its record headers take the last slot's worth).
    private static int SlotsFor(int messageBytes) => (int)Math.Max(2, (MeasurementPlan.RingCapacity(messageBytes) / SlotBytes(messageBytes)) - 1);

    // Each slot starts on a page boundary, as a large record in the ring starts 64-byte aligned and spans whole pages.
    private static long SlotBytes(int messageBytes) => (messageBytes + 4095L) & ~4095L;

    // Touches every page before timing, as a ring's pages are touched by the time the warm-up blocks end.
    private static unsafe void Prefault(byte* start, long bytes)
    {
        for (long offset = 0; offset < bytes; offset += 4096)
        {
            start[offset] = 0;
        }
    }
}
