using System;
using System.IO;
using System.Linq;
using NeoBuffer.Bench.Harness;
using NeoBuffer.Bench.Measurements;
using NeoBuffer.Bench.Report;
using NeoBuffer.Testing;

namespace NeoBuffer.Bench.Transports;

/// <summary>
/// The raw limit of broadcasting 8 MiB frames to N reader processes: one writer (this process) and N reader processes
/// share a plain buffer of as many whole frames as the broadcast ring holds (three in 32 MiB), with no ring protocol.
/// The writer waits until every reader has finished with a slot, fills it exactly as the broadcast producer fills a
/// claim and publishes the frame count; each reader waits for the count, reads every byte exactly as a subscriber
/// reads a lease, and stores its own count in its own cache line. One shared store per frame on each side. Timed is
/// the writer's frames per second, as in <see cref="BroadcastFrames"/>; aggregate bandwidth is that times N.
/// <para>
/// A waiting side spins, then parks on the counter it waits for (<see cref="ParkingCounter"/>), as the ring's
/// subscribers and producer do: with more processes than the 2 CPUs, a reader that only spun would take the writer's
/// CPU, and one that yielded (the first version: spin 64, then sched_yield between checks) still ran whenever the
/// scheduler had nothing better, so the limit measured the scheduler. The readers' parked count and the writer's each
/// have their own line.
/// </para>
/// </summary>
internal static class RawReadersBaseline
{
    public const string ReaderVerb = "raw-read";

    private const int Slots = 3;
    private const int LineStride = 128; // two lines apart: adjacent-line prefetch never couples two counters
    private const int MaxReaders = 16;
    private const int PublishedOffset = 0;
    private const int ReadersParkedOffset = LineStride;
    private const int WriterParkedOffset = 2 * LineStride;
    private const int ConsumedOffset = 3 * LineStride; // then one line per reader
    private const int DataOffset = 4096;

    public static unsafe Measurement Measure(BenchRun run, int readers)
    {
        const int frameBytes = MeasurementPlan.Large;
        long block = run.Plan.FramesBlock;
        long total = run.ThroughputTotal(block);
        string path = Path.Combine(run.Directory, run.NextName("raw-readers"));
        SharedMapping.CreateFile(path, DataOffset + ((long)Slots * frameBytes));

        try
        {
            using (var shared = new SharedMapping(path))
            {
                byte* start = shared.Base;
                long* published = (long*)(start + PublishedOffset);
                int* readersParked = (int*)(start + ReadersParkedOffset);
                int* writerParked = (int*)(start + WriterParkedOffset);
                ChildProcess[] children = BenchChildren.StartAll(ReaderVerb, Enumerable.Range(0, readers).Select(reader => new object[] { path, reader, total }).ToArray(), pinned: false);
                try
                {
                    var source = new MessageSource(frameBytes);
                    var timer = run.ThroughputTimer(block);
                    for (long sequence = 0; sequence < total; sequence++)
                    {
                        // The slot held frame sequence - Slots: free once every reader's count has passed it.
                        for (int reader = 0; reader < readers; reader++)
                        {
                            ParkingCounter.WaitUntil(Consumed(start, reader), sequence - Slots + 1, writerParked, children);
                        }

                        source.FillInto(new Span<byte>(start + DataOffset + ((sequence % Slots) * frameBytes), frameBytes), sequence);
                        ParkingCounter.Publish(published, sequence + 1, readersParked); // release: the fill happened before
                        timer.Count();
                    }

                    Array.ForEach(children, child => child.WaitSuccess(BenchRun.ChildTimeout));
                    return Measurement.Throughput(Scenarios.RawReaders, frameBytes, block, timer.BlockSeconds()) with { Scenario = Scenarios.Broadcast, Subscribers = readers };
                }
                finally
                {
                    Array.ForEach(children, child => child.Dispose());
                }
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The child: <c>FILE READER COUNT</c>; reads and checks COUNT frames.</summary>
    public static unsafe void Read(string[] args)
    {
        int reader = int.Parse(args[1]);
        long count = long.Parse(args[2]);
        if (reader >= MaxReaders)
        {
            throw new ArgumentOutOfRangeException(nameof(args), reader, $"At most {MaxReaders} readers.");
        }

        using (var shared = new SharedMapping(args[0]))
        {
            byte* start = shared.Base;
            long* published = (long*)(start + PublishedOffset);
            int* readersParked = (int*)(start + ReadersParkedOffset);
            int* writerParked = (int*)(start + WriterParkedOffset);
            long* consumed = Consumed(start, reader);
            var check = new MessageCheck();
            Console.WriteLine("ready");
            for (long sequence = 0; sequence < count; sequence++)
            {
                // A child exits when its parent goes (ParentWatch), so only the parent checks its peers.
                ParkingCounter.WaitUntil(published, sequence + 1, readersParked, peers: null); // acquire: the writer's fill happened before its count
                check.Accept(new ReadOnlySpan<byte>(start + DataOffset + ((sequence % Slots) * MeasurementPlan.Large), MeasurementPlan.Large));
                ParkingCounter.Publish(consumed, sequence + 1, writerParked); // release: every read of the slot happened before the writer may refill it
            }
        }
    }

    private static unsafe long* Consumed(byte* start, int reader) => (long*)(start + ConsumedOffset + (reader * LineStride));
}
