using System.Runtime.InteropServices;

namespace NeoBuffer;

/// <summary>
/// A variable-length byte field of a <see cref="ChannelMessageAttribute">channel message</see>: an 8-byte descriptor in
/// the fixed block whose bytes live in the message's tail. Read it through the generated <c>View</c>, write it through
/// the generated <c>Builder</c>.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly struct VarBytes
{
    private readonly VarFieldDescriptor _descriptor;

    internal VarBytes(VarFieldDescriptor descriptor) => _descriptor = descriptor;

    /// <summary>The descriptor as stored in the fixed block: offset from the message start and length in bytes.</summary>
    public VarFieldDescriptor Descriptor => _descriptor;
}
