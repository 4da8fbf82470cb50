using System.Collections.Generic;
using System.Linq;
using ScottPlot;

namespace NeoBuffer.Bench.Report;

/// <summary>
/// The <c>report</c> verb's second chart: the aggregate bandwidth all subscribers read (each reads every 8 MiB frame)
/// against the number of subscribers, NeoBuffer's tethered broadcast beside N raw readers of a plain shared buffer.
/// </summary>
internal static class BroadcastChart
{
    public static void Draw(string path, IReadOnlyList<ResultRow> rows, string subtitle)
    {
        var plot = new Plot();
        foreach (IGrouping<string, ResultRow> transport in rows.Where(row => row.Scenario == Scenarios.Broadcast && row.GbPerSec > 0).GroupBy(row => $"{row.Transport} ({row.Placement})"))
        {
            ResultRow[] points = transport.OrderBy(row => row.Subscribers).ToArray();
            var line = plot.Add.Scatter(points.Select(row => (double)row.Subscribers).ToArray(), points.Select(row => row.GbPerSec!.Value * row.Subscribers).ToArray());
            line.LegendText = transport.Key;
            line.LineWidth = 2;
            line.MarkerSize = 8;
        }

        plot.Title($"8 MiB broadcast: aggregate read by all subscribers\n{subtitle}");
        plot.XLabel("subscriber processes");
        plot.YLabel("aggregate GB/s");
        plot.Axes.Bottom.SetTicks([1, 2, 4, 8], ["1", "2", "4", "8"]);
        plot.Axes.SetLimitsY(0, rows.Where(row => row.Scenario == Scenarios.Broadcast).Select(row => (row.GbPerSec ?? 0) * row.Subscribers).DefaultIfEmpty(1).Max() * 1.15);
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, 1000, 650);
    }
}
