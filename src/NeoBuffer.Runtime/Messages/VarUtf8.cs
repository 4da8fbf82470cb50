using System.Runtime.InteropServices;

namespace NeoBuffer;

/// <summary>
/// A variable-length UTF-8 text field of a <see cref="ChannelMessageAttribute">channel message</see>: an 8-byte
/// descriptor in the fixed block whose bytes live in the message's tail. The generated <c>View</c> exposes it both as a
/// UTF-8 span and as a decoded <see cref="string"/>.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly struct VarUtf8
{
    private readonly VarFieldDescriptor _descriptor;

    internal VarUtf8(VarFieldDescriptor descriptor) => _descriptor = descriptor;

    /// <summary>The descriptor as stored in the fixed block: offset from the message start and length in bytes.</summary>
    public VarFieldDescriptor Descriptor => _descriptor;
}
