using System.Collections.Generic;
using System.Linq;
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

    /// <summary>Every sample of <paramref name="blocks"/> in one block, for percentiles over all of them.</summary>
    public static LatencySamples Concat(IReadOnlyList<LatencySamples> blocks)
    {
        var all = new LatencySamples(blocks.Sum(block => block._count));
        foreach (LatencySamples block in blocks)
        {
            block._ticks.AsSpan(0, block._count).CopyTo(all._ticks.AsSpan(all._count));
            all._count += block._count;
        }

        return all;
    }

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
