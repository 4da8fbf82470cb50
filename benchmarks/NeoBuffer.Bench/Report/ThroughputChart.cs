using System;
using System.Collections.Generic;
using System.Linq;
using ScottPlot;

namespace NeoBuffer.Bench.Report;

/// <summary>
/// The <c>report</c> verb's chart: SPSC throughput in GB/s against message size, one line per transport, both axes in
/// log scale (ScottPlot plots log10 of the values on linear axes, and the ticks are labelled with the values).
/// </summary>
internal static class ThroughputChart
{
    public static void Draw(string path, IReadOnlyList<ResultRow> rows, string subtitle)
    {
        var plot = new Plot();
        List<ResultRow> measured = rows.Where(row => row.Scenario == Scenarios.Throughput && row.GbPerSec > 0).ToList();
        foreach (IGrouping<string, ResultRow> transport in measured.GroupBy(row => row.Transport))
        {
            double[] sizes = transport.Select(row => Math.Log10(row.MessageBytes)).ToArray();
            double[] rates = transport.Select(row => Math.Log10(row.GbPerSec!.Value)).ToArray();
            var line = plot.Add.Scatter(sizes, rates);
            line.LegendText = transport.Key;
            line.LineWidth = 2;
            line.MarkerSize = 8;
        }

        long[] messageSizes = measured.Select(row => row.MessageBytes).Distinct().Order().ToArray();
        plot.Axes.Bottom.SetTicks(messageSizes.Select(size => Math.Log10(size)).ToArray(), messageSizes.Select(ResultTable.Size).ToArray());
        int lowest = (int)Math.Floor(measured.Min(row => Math.Log10(row.GbPerSec!.Value)));
        int highest = (int)Math.Ceiling(measured.Max(row => Math.Log10(row.GbPerSec!.Value)));
        double[] decades = Enumerable.Range(lowest, highest - lowest + 1).Select(power => (double)power).ToArray();
        plot.Axes.Left.SetTicks(decades, decades.Select(power => Math.Pow(10, power).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        plot.Axes.SetLimits(Math.Log10(messageSizes[0]) - 0.3, Math.Log10(messageSizes[^1]) + 0.3, lowest, highest);

        plot.Title($"SPSC throughput between two processes\n{subtitle}");
        plot.XLabel("message size");
        plot.YLabel("GB/s (log scale)");
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, 1000, 650);
    }
}
