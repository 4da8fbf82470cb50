using System.Diagnostics;

namespace NeoBuffer.Interop;

/// <summary>CLOCK_MONOTONIC in nanoseconds: the clock futex_waitv deadlines are measured on.</summary>
internal static class MonotonicClock
{
    // On Linux Stopwatch reads CLOCK_MONOTONIC with a frequency of 1 GHz, so its ticks are the kernel's nanoseconds.
    public static long NowNs => Stopwatch.Frequency == 1_000_000_000
        ? Stopwatch.GetTimestamp()
        : (long)(Stopwatch.GetTimestamp() * (1_000_000_000.0 / Stopwatch.Frequency));
}
