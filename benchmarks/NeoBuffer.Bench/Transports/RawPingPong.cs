using System;
using System.Diagnostics;
using System.IO;
using System.IO.MemoryMappedFiles;
using System.Threading;
using NeoBuffer.Bench.Harness;
using NeoBuffer.Bench.Measurements;
using NeoBuffer.Bench.Report;
using NeoBuffer.Interop;

using NeoBuffer.Testing;

namespace NeoBuffer.Bench.Transports;

/// <summary>
/// The raw limit for a round trip: two processes bounce a counter through two cache lines of a small file mapping in
/// /dev/shm, each spinning on the line the other writes. Two cache-line transfers and nothing else: no framing, no
/// positions, no wake check. The row is reported at 64 B, the cache line that moves each way (8 B of it are written).
/// The samples include the same two clock reads as every other round trip.
/// <para>
/// <see cref="ReaderWait.Parked"/> is the raw limit of a parked round trip (row <c>futex</c>): each side sleeps in
/// FUTEX_WAIT on the line it waits for until it changes, and the other side stores and always calls FUTEX_WAKE. Two
/// wake-ups per round trip and nothing else.
/// </para>
/// </summary>
internal static class RawPingPong
{
    public const string EchoVerb = "pingpong-echo";

    private const int FileBytes = 4096;
    private const int PingOffset = 0;
    private const int PongOffset = 256; // two 128-byte lines apart: adjacent-line prefetch never couples them

    // A parked side wakes this often to check its peer is alive, so a dead peer fails the run instead of hanging it.
    private const long ParkedPeerCheckNs = 1_000_000_000;

    /// <summary>The round trip with spinning sides (the <c>spsc</c> and <c>report</c> rows).</summary>
    public static Measurement Measure(BenchRun run, int lineBytes) => Measure(run, lineBytes, ReaderWait.Spinning);

    public static Measurement Measure(BenchRun run, int lineBytes, ReaderWait wait)
    {
        string transport = wait == ReaderWait.Parked ? Scenarios.Futex : Scenarios.PingPong;
        int block = run.Plan.RoundTripBlock(transport, wait);
        return Measure(run, lineBytes, wait, block, run.Plan.WarmupBlocks, run.Plan.Blocks);
    }

    /// <summary>
    /// A short spinning round trip (one warm-up block and one timed block of <paramref name="roundTrips"/>) whose median
    /// says where the host placed the two vCPUs just now (<see cref="Placement"/>).
    /// </summary>
    public static double ProbeP50Ns(BenchRun run, int roundTrips) =>
        Measure(run, MeasurementPlan.Small, ReaderWait.Spinning, roundTrips, warmupBlocks: 1, blocks: 1).LatencyBlocks[0].PercentileNs(0.5);

    private static unsafe Measurement Measure(BenchRun run, int lineBytes, ReaderWait wait, int block, int warmupBlocks, int blocks)
    {
        string transport = wait == ReaderWait.Parked ? Scenarios.Futex : Scenarios.PingPong;
        int total = block * (warmupBlocks + blocks);
        string path = Path.Combine(run.Directory, run.NextName("pingpong"));

        using (MemoryMappedFile file = MemoryMappedFile.CreateFromFile(path, FileMode.CreateNew, null, FileBytes))
        using (MemoryMappedViewAccessor view = file.CreateViewAccessor(0, FileBytes))
        {
            byte* baseAddress = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref baseAddress);
            try
            {
                long* ping = (long*)(baseAddress + PingOffset);
                long* pong = (long*)(baseAddress + PongOffset);
                using ChildProcess echo = BenchChildren.Start(EchoVerb, path, total, wait);
                var timer = new RoundTripTimer(block * warmupBlocks, block, blocks);
                for (int i = 1; i <= total; i++)
                {
                    long start = Stopwatch.GetTimestamp();
                    Volatile.Write(ref *ping, i);
                    if (wait == ReaderWait.Parked)
                    {
                        Futex.WakeAll((int*)ping);
                        while (!WaitParked(pong, i))
                        {
                            echo.ThrowIfExited();
                        }
                    }
                    else
                    {
                        PeerWait.SpinUntil(pong, i, echo);
                    }

                    long end = Stopwatch.GetTimestamp();
                    timer.Record(end - start);
                }

                echo.WaitSuccess(BenchRun.ChildTimeout);
                Measurement measured = Measurement.RoundTrip(transport, lineBytes, block, timer.Blocks);
                return wait == ReaderWait.Parked ? measured with { Scenario = Scenarios.RoundTripParked } : measured;
            }
            finally
            {
                view.SafeMemoryMappedViewHandle.ReleasePointer();
                File.Delete(path);
            }
        }
    }

    /// <summary>The child: <c>FILE COUNT WAIT</c>; answers COUNT pings, waiting between them as WAIT says.</summary>
    public static unsafe void Echo(string[] args)
    {
        int count = int.Parse(args[1]);
        var wait = Enum.Parse<ReaderWait>(args[2]);
        using MemoryMappedFile file = MemoryMappedFile.CreateFromFile(args[0], FileMode.Open, null, FileBytes);
        using MemoryMappedViewAccessor view = file.CreateViewAccessor(0, FileBytes);
        byte* baseAddress = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref baseAddress);
        try
        {
            long* ping = (long*)(baseAddress + PingOffset);
            long* pong = (long*)(baseAddress + PongOffset);
            Console.WriteLine("ready");
            for (int i = 1; i <= count; i++)
            {
                if (wait == ReaderWait.Parked)
                {
                    // No liveness check needed: the child exits when the parent goes (ParentWatch).
                    while (!WaitParked(ping, i))
                    {
                    }

                    Volatile.Write(ref *pong, i);
                    Futex.WakeAll((int*)pong);
                    continue;
                }

                while (Volatile.Read(ref *ping) != i)
                {
                    // Spinning, like the channel's spinning readers.
                }

                Volatile.Write(ref *pong, i);
            }
        }
        finally
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
        }
    }

    /// <summary>
    /// Sleeps in FUTEX_WAIT until <paramref name="line"/> holds <paramref name="value"/>; false when a whole peer-check
    /// interval passed without it. The futex watches the low 32 bits of the 64-bit counter (little-endian: the same
    /// address), which change on every store, since the counter stays far below 2^31.
    /// </summary>
    private static unsafe bool WaitParked(long* line, long value)
    {
        long seen;
        while ((seen = Volatile.Read(ref *line)) != value)
        {
            if (!Futex.Wait((int*)line, (int)seen, ParkedPeerCheckNs))
            {
                return Volatile.Read(ref *line) == value;
            }
        }

        return true;
    }
}
