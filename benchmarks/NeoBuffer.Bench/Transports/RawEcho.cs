using System;
using System.Diagnostics;
using System.IO;
using System.Threading;
using NeoBuffer.Bench.Harness;
using NeoBuffer.Bench.Measurements;
using NeoBuffer.Bench.Report;
using NeoBuffer.Testing;

namespace NeoBuffer.Bench.Transports;

/// <summary>
/// The floor of the <c>request</c> run's echo, one client: the per-byte work every request row does, with no protocol
/// at all. Two processes pinned apart share a plain file in /dev/shm holding a request area and a response area as large
/// as the run's rings; round trip <c>i</c> uses the next stretch of each (so the lines move on as a ring's do). This
/// process fills the request (<see cref="MessageSource.FillInto"/>, as the NeoBuffer client fills its claim) and stores
/// the stretch's publication word; the echo child, spinning on it, copies the request's bytes into the response stretch
/// and stores that stretch's word; this process, spinning, reads every byte of the response in place
/// (<see cref="MessageCheck.Accept"/>). No framing, no envelope, no correlation, no gates, no copy of the response out
/// of shared memory: a request/response transport over shared memory that does the same echo cannot be faster, so its
/// requests/s over gRPC's bounds every transport's in the same round.
/// </summary>
internal static class RawEcho
{
    public const string EchoVerb = "raw-echo";

    private const int StretchAlignment = 128; // two lines: adjacent-line prefetch never couples a word with another stretch's
    private const int PayloadOffset = 64; // the publication word's line, then the payload

    /// <summary>One session of <paramref name="messageBytes"/>-byte round trips with one client: the floor's row of that size.</summary>
    public static unsafe Measurement Measure(BenchRun run, int messageBytes)
    {
        int block = RequestPlan.Block(run.Plan, Scenarios.RawEcho, messageBytes);
        int total = run.RoundTripTotal(block);
        string path = Path.Combine(run.Directory, run.NextName("raw-echo"));
        SharedMapping.CreateFile(path, 2 * RequestPlan.RingCapacity);

        try
        {
            using var shared = new SharedMapping(path);
            using ChildProcess echo = BenchChildren.Start(EchoVerb, path, messageBytes, total);
            var source = new MessageSource(messageBytes);
            var check = new MessageCheck();
            var timer = new RoundTripTimer(block * run.Plan.WarmupBlocks, block, run.Plan.Blocks);
            var stretches = new Stretches(messageBytes);
            for (int i = 0; i < total; i++)
            {
                long start = Stopwatch.GetTimestamp();
                long offset = stretches.Next();
                byte* request = shared.Base + offset;
                byte* response = shared.Base + RequestPlan.RingCapacity + offset;
                source.FillInto(new Span<byte>(request + PayloadOffset, messageBytes), i);
                Volatile.Write(ref *(long*)request, i + 1L); // release: the fill before the word
                PeerWait.SpinUntil((long*)response, i + 1L, echo);

                check.Accept(new ReadOnlySpan<byte>(response + PayloadOffset, messageBytes));
                timer.Record(Stopwatch.GetTimestamp() - start);
            }

            echo.WaitSuccess(BenchRun.ChildTimeout);
            return Measurement.RoundTrip(Scenarios.RawEcho, messageBytes, block, timer.Blocks) with { Scenario = Scenarios.Request, Producers = 1 };
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The child: <c>FILE MESSAGE_BYTES COUNT</c>; answers COUNT requests, each with its own bytes.</summary>
    public static unsafe void Echo(string[] args)
    {
        int messageBytes = int.Parse(args[1]);
        int count = int.Parse(args[2]);
        using var shared = new SharedMapping(args[0]);
        var stretches = new Stretches(messageBytes);
        Console.WriteLine("ready");
        for (int i = 0; i < count; i++)
        {
            long offset = stretches.Next();
            byte* request = shared.Base + offset;
            byte* response = shared.Base + RequestPlan.RingCapacity + offset;
            while (Volatile.Read(ref *(long*)request) != i + 1L)
            {
                // Spinning, as the NeoBuffer server spins between requests; the child exits when the parent goes (ParentWatch).
            }

            new ReadOnlySpan<byte>(request + PayloadOffset, messageBytes).CopyTo(new Span<byte>(response + PayloadOffset, messageBytes));
            Volatile.Write(ref *(long*)response, i + 1L);
        }
    }

    // The offsets of successive round trips' stretches within an area: back to back, wrapping before the area's end.
    // Advanced by an add and a compare, as a ring's position is (a division per round trip would be on the timed path).
    private struct Stretches(int messageBytes)
    {
        private readonly long _stride = (PayloadOffset + messageBytes + StretchAlignment - 1) & ~(long)(StretchAlignment - 1);
        private long _next;

        public long Next()
        {
            long offset = _next;
            _next = offset + (2 * _stride) <= RequestPlan.RingCapacity ? offset + _stride : 0;
            return offset;
        }
    }
}
