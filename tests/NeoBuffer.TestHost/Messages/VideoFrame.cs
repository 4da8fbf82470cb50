namespace NeoBuffer.TestHost.Messages;

/// <summary>How the pixels of a <see cref="VideoFrame"/> are laid out.</summary>
public enum PixelFormat : byte
{
    Gray8 = 1,
    Rgb24 = 2,
    Bgra32 = 3,
}

/// <summary>A point, nested by value in <see cref="VideoFrame"/> and as the element of its corner list.</summary>
[ChannelMessage]
public partial struct Point2
{
    public float X;
    public float Y;
}

/// <summary>A message with every kind of field the cross-process tests send: fixed, nested, enum, bool and all three var kinds.</summary>
[ChannelMessage(Name = "NeoBuffer.Tests.VideoFrame")]
public partial struct VideoFrame
{
    public long Sequence;
    public int Width;
    public int Height;
    public PixelFormat Format;
    public bool KeyFrame;
    public Point2 Origin;
    public VarUtf8 CameraName;
    public VarBytes Pixels;
    public VarArray<Point2> Corners;
}
