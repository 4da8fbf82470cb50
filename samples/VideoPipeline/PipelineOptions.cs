using System;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace VideoPipeline;

/// <summary>The command line. Subscriber processes get two hidden options, <c>--role</c> and <c>--channel</c>.</summary>
internal sealed class PipelineOptions
{
    public const string Usage =
        """
        usage: VideoPipeline [--width 1920] [--height 1080] [--fps 0] [--subscribers 3] [--seconds 10] [--channel NAME]

          --width, --height  frame size in pixels (RGBA, 4 bytes a pixel)
          --fps              frames a second the producer aims for; 0 = as fast as the subscribers take them
          --subscribers      1 = a recorder; 2 = + an analyser; 3 = + a lossy preview; more = more analysers
          --seconds          how long the producer streams
          --channel          the channel's name (default: video-PID)

        exit code: 0 done or stopped (Ctrl+C, SIGTERM); 1 failed, with one line on standard error saying why; 2 bad options
        """;

    public int Width { get; private set; } = 1920;

    public int Height { get; private set; } = 1080;

    public double Fps { get; private set; }

    public int Subscribers { get; private set; } = 3;

    public double Seconds { get; private set; } = 10;

    public string Channel { get; private set; } = $"video-{Environment.ProcessId}";

    /// <summary>Set in a subscriber process: which subscriber it is (recorder, analyser-N, preview).</summary>
    public string? Role { get; private set; }

    public int PixelBytes => Width * Height * 4;

    public static bool TryParse(string[] args, [NotNullWhen(true)] out PipelineOptions? options, [NotNullWhen(false)] out string? error)
    {
        options = new PipelineOptions();
        error = null;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] is "-h" or "--help")
            {
                error = "";
                break;
            }

            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                error = $"unexpected argument '{args[i]}'";
                break;
            }

            if (i + 1 >= args.Length)
            {
                error = $"{args[i]} needs a value";
                break;
            }

            string value = args[++i];
            switch (args[i - 1])
            {
                case "--width": options.Width = ParseInt(value, 1, 16384, ref error); break;
                case "--height": options.Height = ParseInt(value, 1, 16384, ref error); break;
                case "--fps": options.Fps = ParseDouble(value, 0, 1e6, ref error); break;
                case "--subscribers": options.Subscribers = ParseInt(value, 0, 64, ref error); break;
                case "--seconds": options.Seconds = ParseDouble(value, 0.1, 1e6, ref error); break;
                case "--channel": options.Channel = value; break;
                case "--role": options.Role = value; break;
                default: error = "unknown option"; break;
            }

            if (error is not null)
            {
                error = $"{args[i - 1]} {value}: {error}";
                break;
            }
        }

        if (error is null && (long)options.Width * options.Height * 4 > 512 << 20)
        {
            error = "a frame may have at most 512 MiB";
        }

        if (error is not null)
        {
            options = null;
            return false;
        }

        return true;
    }

    private static int ParseInt(string text, int min, int max, ref string? error)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max)
        {
            return value;
        }

        error = $"expected a whole number from {min} to {max}";
        return 0;
    }

    private static double ParseDouble(string text, double min, double max, ref string? error)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value >= min && value <= max)
        {
            return value;
        }

        error = $"expected a number from {min} to {max}";
        return 0;
    }
}
