using System.Runtime.InteropServices;

namespace NeoBuffer;

/// <summary>
/// A variable-length array field of a <see cref="ChannelMessageAttribute">channel message</see>, whose elements are an
/// allowed fixed type: an 8-byte descriptor in the fixed block whose elements live in the message's tail.
/// </summary>
/// <typeparam name="T">The element type: a primitive, enum or fixed <c>[ChannelMessage]</c> struct.</typeparam>
[StructLayout(LayoutKind.Sequential)]
public readonly struct VarArray<T> where T : unmanaged
{
    private readonly VarFieldDescriptor _descriptor;

    internal VarArray(VarFieldDescriptor descriptor) => _descriptor = descriptor;

    /// <summary>The descriptor as stored in the fixed block: offset from the message start and length in bytes.</summary>
    public VarFieldDescriptor Descriptor => _descriptor;
}
