namespace NeoBuffer.Bench.Report;

/// <summary>Where the <c>report</c> verb writes: the JSON rows (only when asked), the Markdown page and the PNG chart.</summary>
internal sealed record ReportOutputs(string? Json, string Markdown, string Chart)
{
    public const string DefaultMarkdown = "benchmark-report.md";
    public const string DefaultChart = "benchmark-throughput.png";
}
