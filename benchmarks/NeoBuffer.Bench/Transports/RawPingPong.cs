using System;
using System.Diagnostics;
using System.IO;
using System.IO.MemoryMappedFiles;
using System.Threading;
using NeoBuffer.Bench.Harness;
using NeoBuffer.Bench.Measurements;
using NeoBuffer.Bench.Report;

namespace NeoBuffer.Bench.Transports;

/// <summary>
/// The raw limit for a round trip: two processes bounce a counter through two cache lines of a small file mapping in
/// /dev/shm, each spinning on the line the other writes. Two cache-line transfers and nothing else: no framing, no
/// positions, no wake check. The row is reported at 64 B, the cache line that moves each way (8 B of it are written).
/// The samples include the same two clock reads as every other round trip.
/// </summary>
internal static class RawPingPong
{
    public const string EchoVerb = "pingpong-echo";

    private const int FileBytes = 4096;
    private const int PingOffset = 0;
    private const int PongOffset = 256; // two 128-byte lines apart: adjacent-line prefetch never couples them

    private const int SpinsBetweenPeerChecks = 1 << 24;

    public static unsafe Measurement Measure(BenchRun run, int lineBytes)
    {
        int block = run.Plan.RoundTripBlock(Scenarios.PingPong);
        int total = run.RoundTripTotal(block);
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
                using BenchChild echo = BenchChild.Start(EchoVerb, path, total);
                var timer = new RoundTripTimer(block * run.Plan.WarmupBlocks, block, run.Plan.Blocks);
                for (int i = 1; i <= total; i++)
                {
                    long start = Stopwatch.GetTimestamp();
                    Volatile.Write(ref *ping, i);
                    int spins = 0;
                    while (Volatile.Read(ref *pong) != i)
                    {
                        if (++spins == SpinsBetweenPeerChecks)
                        {
                            echo.ThrowIfExited();
                            spins = 0;
                        }
                    }

                    long end = Stopwatch.GetTimestamp();
                    timer.Record(end - start);
                }

                echo.WaitSuccess(BenchRun.ChildTimeout);
                return Measurement.RoundTrip(Scenarios.PingPong, lineBytes, block, timer.Blocks);
            }
            finally
            {
                view.SafeMemoryMappedViewHandle.ReleasePointer();
                File.Delete(path);
            }
        }
    }

    /// <summary>The child: <c>FILE COUNT</c>; answers COUNT pings.</summary>
    public static unsafe void Echo(string[] args)
    {
        int count = int.Parse(args[1]);
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
}
