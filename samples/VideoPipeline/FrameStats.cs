using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace VideoPipeline;

/// <summary>
/// Counts frames, bytes and latencies in one process: a line once a second, and a <see cref="RunResult"/> at the end.
/// </summary>
internal sealed class FrameStats(string role, string mode)
{
    private readonly List<long> _latencies = new(1 << 16);     // the whole run, for the summary
    private readonly List<long> _secondLatencies = new(1 << 12);
    private long _frames;
    private long _bytes;
    private long _firstNs;
    private long _lastNs;
    private long _secondStartNs = Clock.NowNs;
    private long _secondFrames;
    private long _secondBytes;

    public string Role => role;

    public long Frames => _frames;

    /// <summary>Counts one frame of <paramref name="bytes"/> pixels, received <paramref name="latencyNs"/> after it was committed (negative: not measured).</summary>
    public void Record(long bytes, long latencyNs, long nowNs)
    {
        if (_frames++ == 0)
        {
            _firstNs = nowNs;
        }

        _lastNs = nowNs;
        _bytes += bytes;
        _secondFrames++;
        _secondBytes += bytes;
        if (latencyNs >= 0)
        {
            _latencies.Add(latencyNs);
            _secondLatencies.Add(latencyNs);
        }
    }

    /// <summary>Whether a second has passed since the last line.</summary>
    public bool SecondIsUp(long nowNs) => nowNs - _secondStartNs >= 1_000_000_000;

    /// <summary>Prints the line for the time since the last one, with <paramref name="extra"/> at its end.</summary>
    public void PrintSecond(long nowNs, string extra = "")
    {
        double seconds = (nowNs - _secondStartNs) / 1e9;
        string latency = _secondLatencies.Count == 0
            ? ""
            : $" | latency p50 {Percentile(_secondLatencies, 0.50) / 1e6,6:F2} ms  p99 {Percentile(_secondLatencies, 0.99) / 1e6,6:F2} ms";
        Console.WriteLine($"{role,-11} {mode,-8} | {_secondFrames / seconds,7:F1} frames/s {_secondBytes / seconds / 1e9,6:F2} GB/s{latency}{extra}");
        _secondStartNs = nowNs;
        _secondFrames = 0;
        _secondBytes = 0;
        _secondLatencies.Clear();
    }

    /// <summary>The whole run: rates from the first frame to the last, latency percentiles over every frame.</summary>
    public RunResult Result(long lost, long torn, string note)
    {
        // Rates count the frames after the first over the time from the first to the last, so start-up is left out.
        double seconds = (_lastNs - _firstNs) / 1e9;
        double fps = _frames > 1 && seconds > 0 ? (_frames - 1) / seconds : 0;
        double bytesPerFrame = _frames == 0 ? 0 : (double)_bytes / _frames;
        return new RunResult(
            role, Environment.ProcessId, mode, _frames, fps, fps * bytesPerFrame / 1e9,
            _latencies.Count == 0 ? double.NaN : Percentile(_latencies, 0.50) / 1e6,
            _latencies.Count == 0 ? double.NaN : Percentile(_latencies, 0.99) / 1e6,
            lost, torn, note);
    }

    /// <summary>Sorts <paramref name="values"/> in place and returns the <paramref name="fraction"/> percentile (nearest rank).</summary>
    private static long Percentile(List<long> values, double fraction)
    {
        Span<long> sorted = CollectionsMarshal.AsSpan(values);
        sorted.Sort();
        int rank = (int)Math.Ceiling(fraction * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}

/// <summary>One process's totals. A subscriber prints it as one line that the pipeline process parses for the summary table.</summary>
internal sealed record RunResult(
    string Role, int Pid, string Mode, long Frames, double FramesPerSecond, double GigabytesPerSecond,
    double LatencyP50Ms, double LatencyP99Ms, long Lost, long Torn, string Note)
{
    private const string Prefix = "result|";

    public static string Header =>
        $"{"role",-11} {"pid",7} {"mode",-8} {"frames",8} {"frames/s",9} {"GB/s",6} {"p50 ms",7} {"p99 ms",7} {"lost",6} {"torn",5}  notes";

    public string ToLine() =>
        Prefix + string.Join('|', Role, Pid, Mode, Frames, FramesPerSecond, GigabytesPerSecond, LatencyP50Ms, LatencyP99Ms, Lost, Torn, Note);

    public static RunResult? TryParse(string line)
    {
        if (!line.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        // The line comes from another process: one that is not a result (whatever printed it) is shown, not parsed.
        string[] f = line[Prefix.Length..].Split('|', 11);
        try
        {
            return new RunResult(f[0], int.Parse(f[1]), f[2], long.Parse(f[3]), double.Parse(f[4]), double.Parse(f[5]),
                double.Parse(f[6]), double.Parse(f[7]), long.Parse(f[8]), long.Parse(f[9]), f[10]);
        }
        catch (Exception error) when (error is FormatException or OverflowException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    public string ToRow() =>
        $"{Role,-11} {Pid,7} {Mode,-8} {Frames,8:N0} {FramesPerSecond,9:F1} {GigabytesPerSecond,6:F2} {Ms(LatencyP50Ms),7} {Ms(LatencyP99Ms),7} {Count(Lost),6} {Count(Torn),5}  {Note}";

    private static string Ms(double ms) => double.IsNaN(ms) ? "-" : ms.ToString("F2");

    private static string Count(long count) => count < 0 ? "-" : count.ToString("N0");
}
