namespace NeoBuffer.Bench.Report;

/// <summary>
/// Where the <c>report</c> verb writes: the JSON rows (only when asked), the Markdown page, the PNG throughput chart,
/// and the broadcast chart beside it (its name with <c>-broadcast</c> before the extension).
/// </summary>
internal sealed record ReportOutputs(string? Json, string Markdown, string Chart)
{
    public string BroadcastChart => System.IO.Path.ChangeExtension(Chart, null) + "-broadcast" + System.IO.Path.GetExtension(Chart);

    public const string DefaultMarkdown = "benchmark-report.md";
    public const string DefaultChart = "benchmark-throughput.png";
}
