using System;
using System.Diagnostics;

namespace NeoBuffer.Bench.Measurements;

/// <summary>One block of round-trip times, in <see cref="Stopwatch"/> ticks, and its percentiles in nanoseconds.</summary>
internal sealed class LatencySamples
{
    private readonly long[] _ticks;
    private int _count;

    public LatencySamples(int capacity) => _ticks = new long[capacity];

    public void Add(long ticks) => _ticks[_count++] = ticks;

    /// <summary>The <paramref name="fraction"/> quantile (nearest rank), in nanoseconds.</summary>
    public double PercentileNs(double fraction)
    {
        Span<long> sorted = _ticks.AsSpan(0, _count);
        sorted.Sort();
        int rank = (int)Math.Ceiling(fraction * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)] * 1e9 / Stopwatch.Frequency;
    }

    /// <summary>Round trips per second over the block (the sum of the samples, so the clock reads are included).</summary>
    public double RoundTripsPerSecond()
    {
        long total = 0;
        foreach (long tick in _ticks.AsSpan(0, _count))
        {
            total += tick;
        }

        return _count / (total / (double)Stopwatch.Frequency);
    }
}
