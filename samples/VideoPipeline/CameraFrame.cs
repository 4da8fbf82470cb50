using System.Diagnostics;
using NeoBuffer;

namespace VideoPipeline;

/// <summary>How the pixels of a <see cref="CameraFrame"/> are laid out.</summary>
public enum PixelFormat : byte
{
    Rgba32 = 1,
}

/// <summary>
/// One video frame. The generator gives it an exact layout and the zero-copy <c>CameraFrame.Builder</c> (the producer
/// writes the frame straight into shared memory) and <c>CameraFrame.View</c> (subscribers read it in place).
/// </summary>
[ChannelMessage]
public partial struct CameraFrame
{
    public long Sequence;
    public long TimestampNs;     // Clock.NowNs when the frame was committed: the same clock in every process
    public int Width;
    public int Height;
    public PixelFormat Format;
    public VarUtf8 CameraName;   // variable-length UTF-8 text in the record's tail
    public VarBytes Pixels;      // Width * Height * 4 bytes in the record's tail
}

/// <summary>CLOCK_MONOTONIC in nanoseconds, which every process on the machine shares (Stopwatch reads it on Linux).</summary>
internal static class Clock
{
    private static readonly double s_nsPerTick = 1e9 / Stopwatch.Frequency;

    public static long NowNs => (long)(Stopwatch.GetTimestamp() * s_nsPerTick);
}
