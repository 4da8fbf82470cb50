using System;
using System.Text;

namespace NeoBuffer.TestHost.Messages;

/// <summary>
/// What frame number N of a test stream contains, so that each side can build or check a frame from its sequence
/// number alone. The camera name is non-ASCII on purpose: two- three- and four-byte UTF-8.
/// </summary>
public static class FrameContent
{
    public static string CameraName(long sequence) => $"камера-{sequence}-東京-🎥";

    public static int CornerCount(long sequence) => (int)(sequence % 5);

    public static int PixelLength(long sequence, int maxPixels) => sequence % 3 == 0 ? maxPixels : (int)(sequence * 7919 % (maxPixels + 1));

    public static Tick Tick(long sequence) => new()
    {
        Sequence = sequence,
        Price = sequence * 0.25,
        Volume = (Int128)sequence << 70,
        Id = new Guid((int)sequence, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10),
        Side = sequence % 2 == 0 ? 'B' : 'Я',
    };

    /// <summary>Claims frame <paramref name="sequence"/> from <paramref name="writer"/>, fills it and commits it.</summary>
    public static void Write(SharedChannelWriter<VideoFrame> writer, long sequence, int maxPixels)
    {
        string name = CameraName(sequence);
        VideoFrame.Builder frame = VideoFrame.Builder.Claim(
            writer, Encoding.UTF8.GetByteCount(name), PixelLength(sequence, maxPixels), CornerCount(sequence), TimeSpan.FromSeconds(60));
        Fill(ref frame, sequence);
        frame.Commit();
    }

    /// <summary>Sets every field of a builder sized for frame <paramref name="sequence"/>.</summary>
    public static void Fill(ref VideoFrame.Builder frame, long sequence)
    {
        frame.Sequence = sequence;
        frame.Width = 640 + (int)sequence;
        frame.Height = 480;
        frame.Format = (PixelFormat)(1 + sequence % 3);
        frame.KeyFrame = sequence % 4 == 0;
        frame.Origin = new Point2 { X = sequence, Y = -sequence };
        Encoding.UTF8.GetBytes(CameraName(sequence), frame.CameraNameUtf8);
        Span<byte> pixels = frame.Pixels;
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (byte)(i * 31 + sequence);
        }

        Span<Point2> corners = frame.Corners;
        for (int i = 0; i < corners.Length; i++)
        {
            corners[i] = new Point2 { X = i, Y = sequence };
        }
    }

    /// <summary>Checks a frame read back; null when it is frame <paramref name="sequence"/> intact, else what is wrong.</summary>
    public static string? Verify(VideoFrame.View frame, long sequence, int maxPixels)
    {
        if (frame.Sequence != sequence)
        {
            return $"expected frame {sequence}, got {frame.Sequence}";
        }

        if (frame.Width != 640 + (int)sequence || frame.Height != 480 || frame.Format != (PixelFormat)(1 + sequence % 3) ||
            frame.KeyFrame != (sequence % 4 == 0) || frame.Origin.X != sequence || frame.Origin.Y != -sequence)
        {
            return $"frame {sequence}: a fixed field is wrong";
        }

        if (frame.CameraName != CameraName(sequence))
        {
            return $"frame {sequence}: camera name '{frame.CameraName}'";
        }

        ReadOnlySpan<byte> pixels = frame.Pixels;
        if (pixels.Length != PixelLength(sequence, maxPixels))
        {
            return $"frame {sequence}: {pixels.Length} pixel bytes";
        }

        for (int i = 0; i < pixels.Length; i++)
        {
            if (pixels[i] != (byte)(i * 31 + sequence))
            {
                return $"frame {sequence}: pixel byte {i} is wrong";
            }
        }

        ReadOnlySpan<Point2> corners = frame.Corners;
        if (corners.Length != CornerCount(sequence))
        {
            return $"frame {sequence}: {corners.Length} corners";
        }

        for (int i = 0; i < corners.Length; i++)
        {
            if (corners[i].X != i || corners[i].Y != sequence)
            {
                return $"frame {sequence}: corner {i} is wrong";
            }
        }

        return null;
    }
}
