using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;

namespace NeoBuffer.Samples.Tests;

/// <summary>samples/VideoPipeline, run for real: a producer process and its subscriber processes.</summary>
public sealed class VideoPipelineTests
{
    private const int SigInt = 2;
    private const int SigTerm = 15;
    private static readonly string[] SmallFrames = ["--width", "320", "--height", "240"];

    [Fact]
    public async Task A_short_run_reaches_every_subscriber_prints_the_summary_and_leaves_nothing_behind()
    {
        using var segments = new SegmentDirectory();
        using SampleProcess pipeline = SampleProcess.Start("VideoPipeline", segments.Path, [.. SmallFrames, "--seconds", "2"]);

        Assert.Equal(0, await pipeline.ExitCodeAsync(TimeSpan.FromSeconds(60)));

        Dictionary<string, SummaryRow> rows = Summary(pipeline);
        Assert.Equal(["producer", "recorder", "analyser-1", "preview"], rows.Keys);
        Assert.All(rows.Values, row => Assert.True(row.Frames > 0, $"{row.Role} got no frames:{Environment.NewLine}{pipeline.Transcript}"));
        Assert.Equal(rows["producer"].Frames, rows["recorder"].Frames); // tethered subscribers get every frame
        Assert.Equal(rows["producer"].Frames, rows["analyser-1"].Frames);
        Assert.Contains("no gaps", rows["recorder"].Line);
        Assert.Equal("lossy", rows["preview"].Mode);
        AssertNothingLeftBehind(rows, segments);
    }

    [Theory]
    [InlineData(SigInt)]  // Ctrl+C, sent here to the pipeline process alone (a terminal sends it to every process: the subscribers ignore it)
    [InlineData(SigTerm)]
    public async Task A_signal_stops_the_producer_and_every_subscriber_cleanly(int signal)
    {
        using var segments = new SegmentDirectory();
        using SampleProcess pipeline = SampleProcess.Start("VideoPipeline", segments.Path, [.. SmallFrames, "--seconds", "120"]);
        // The producer's first stats line: it has streamed for a second. (A subscriber prints its first one a second
        // after it subscribed, frames or not: a signal then could still stop the pipeline before its first frame.)
        await pipeline.WaitForLineAsync("producer    writer", TimeSpan.FromSeconds(60));

        pipeline.Signal(signal);

        Assert.Equal(0, await pipeline.ExitCodeAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains(pipeline.OutputLines, line => line.StartsWith("stopping", StringComparison.Ordinal));
        Dictionary<string, SummaryRow> rows = Summary(pipeline);
        Assert.Equal(4, rows.Count);
        Assert.All(rows.Values, row => Assert.True(row.Frames > 0, $"{row.Role} got no frames"));
        Assert.Equal(rows["producer"].Frames, rows["recorder"].Frames);
        AssertNothingLeftBehind(rows, segments);
    }

    /// <summary>The rows of the summary table: from the header line to the notes under it.</summary>
    private static Dictionary<string, SummaryRow> Summary(SampleProcess pipeline)
    {
        IReadOnlyList<string> lines = pipeline.OutputLines;
        int header = lines.ToList().FindIndex(line => line.StartsWith("role ", StringComparison.Ordinal));
        Assert.True(header >= 0, $"no summary table in:{Environment.NewLine}{pipeline.Transcript}");
        return lines.Skip(header + 1)
            .TakeWhile(line => !line.StartsWith("latency:", StringComparison.Ordinal))
            .Select(SummaryRow.Parse)
            .ToDictionary(row => row.Role);
    }

    private static void AssertNothingLeftBehind(Dictionary<string, SummaryRow> rows, SegmentDirectory segments)
    {
        Assert.All(rows.Values, row => Assert.False(Directory.Exists($"/proc/{row.Pid}"), $"{row.Role} (pid {row.Pid}) is still running"));
        Assert.Empty(segments.Files);
    }

    private sealed record SummaryRow(string Role, int Pid, string Mode, long Frames, string Line)
    {
        public static SummaryRow Parse(string line)
        {
            string[] cells = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return new SummaryRow(cells[0], int.Parse(cells[1], CultureInfo.InvariantCulture), cells[2],
                long.Parse(cells[3], NumberStyles.AllowThousands, CultureInfo.InvariantCulture), line);
        }
    }
}
