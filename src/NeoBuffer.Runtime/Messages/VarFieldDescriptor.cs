using System.Runtime.InteropServices;

namespace NeoBuffer;

/// <summary>
/// Where a variable-length field's bytes are: an offset from the start of the message and a length in bytes.
/// Read from shared memory, it is untrusted until <see cref="MessageBounds"/> has checked it against the record.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly struct VarFieldDescriptor
{
    /// <summary>Creates a descriptor.</summary>
    public VarFieldDescriptor(uint offset, uint length)
    {
        Offset = offset;
        Length = length;
    }

    /// <summary>Offset of the first byte from the start of the message.</summary>
    public uint Offset { get; }

    /// <summary>Length in bytes.</summary>
    public uint Length { get; }
}
