using System;
using System.Linq;

namespace NeoBuffer.Bench.Measurements;

/// <summary>The median of repeated measurements: robust to the odd block a noisy 2-vCPU VM spoils.</summary>
internal static class Median
{
    public static double Of(params double[] values)
    {
        if (values.Length == 0)
        {
            throw new ArgumentException("No measurement to take the median of.", nameof(values));
        }

        double[] sorted = values.Order().ToArray();
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
