using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using NeoBuffer.Bench.Harness;

namespace NeoBuffer.Bench;

/// <summary>
/// The <c>spawn</c> verb: what a process function costs to start. Per round, in this order: the baseline
/// (<see cref="Process.Start()"/> of this same executable doing nothing, to its exit), the time from a call to the
/// first instruction of the function in the child, and the round trip of <c>Add.RunAsync(5, 7)</c> (call to result,
/// child exited). Medians over the rounds, and the median of each round's ratio to its own baseline.
/// </summary>
internal static partial class SpawnSuite
{
    /// <summary>The verb that starts this executable and exits at once: the baseline's trivial program.</summary>
    public const string TrivialVerb = "trivial";

    public static int Run(string[] args)
    {
        VerbOptions options = VerbOptions.Parse(args, ["--quick"], []);
        int rounds = options.Has("--quick") ? 5 : 20;
        var baseline = new List<double>();
        var firstInstruction = new List<double>();
        var roundTrip = new List<double>();
        // One warm-up of each, so the first round does not pay for the page cache alone.
        StartTrivial();
        AddProcess.Run(5, 7);
        for (int round = 0; round < rounds; round++)
        {
            baseline.Add(StartTrivial());
            long before = Stopwatch.GetTimestamp();
            long entered = EnterProcess.Run();
            firstInstruction.Add(Stopwatch.GetElapsedTime(before, entered).TotalMilliseconds);
            long start = Stopwatch.GetTimestamp();
            int sum = AddProcess.RunAsync(5, 7).GetAwaiter().GetResult();
            roundTrip.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            if (sum != 12)
            {
                throw new InvalidOperationException($"Add(5, 7) returned {sum}.");
            }
        }

        Console.WriteLine($"spawn: {rounds} rounds, {Environment.ProcessorCount} CPUs, load {Load()}");
        Console.WriteLine("| what | median ms | min ms | vs Process.Start (median of per-round ratios) |");
        Console.WriteLine("| --- | --- | --- | --- |");
        Console.WriteLine($"| Process.Start of a trivial program, to exit (baseline) | {Median(baseline):F1} | {baseline.Min():F1} | 1.00x |");
        Console.WriteLine($"| call to first instruction of the function | {Median(firstInstruction):F1} | {firstInstruction.Min():F1} | {Median(firstInstruction.Zip(baseline, (a, b) => a / b).ToList()):F2}x |");
        Console.WriteLine($"| Add.RunAsync(5, 7) round trip | {Median(roundTrip):F1} | {roundTrip.Min():F1} | {Median(roundTrip.Zip(baseline, (a, b) => a / b).ToList()):F2}x |");
        return 0;
    }

    /// <summary>The function of the round trip.</summary>
    [ProcessFunction]
    private static int Add(int a, int b) => a + b;

    /// <summary>The child's clock as the function starts: CLOCK_MONOTONIC, the same clock in every process.</summary>
    [ProcessFunction]
    private static long Enter() => Stopwatch.GetTimestamp();

    private static double StartTrivial()
    {
        long start = Stopwatch.GetTimestamp();
        var info = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false };
        if (System.IO.Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            info.ArgumentList.Add(typeof(SpawnSuite).Assembly.Location);
        }

        info.ArgumentList.Add(TrivialVerb);
        using Process process = Process.Start(info)!;
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill();
            throw new TimeoutException("The trivial program did not exit within 60 s.");
        }

        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    private static double Median(List<double> values) => Measurements.Median.Of([.. values]);

    private static string Load() => System.IO.File.ReadAllText("/proc/loadavg").Split(' ')[0];
}
