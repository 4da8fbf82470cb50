using System;
using System.Runtime.InteropServices;
using NeoBuffer.Interop;

namespace NeoBuffer.Segments;

/// <summary>
/// A MAP_SHARED mapping of a segment file. A SafeHandle, so that a wait in progress (which holds a reference) keeps the
/// memory mapped until it returns, even when its channel is disposed from another thread meanwhile.
/// </summary>
internal sealed unsafe class SegmentMapping : SafeHandle
{
    private readonly nuint _length;

    private SegmentMapping(void* address, nuint length) : base(IntPtr.Zero, ownsHandle: true)
    {
        _length = length;
        SetHandle((IntPtr)address);
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    public byte* Address => (byte*)handle;

    /// <summary>Maps <paramref name="length"/> bytes of <paramref name="fd"/> read-write and shared.</summary>
    public static SegmentMapping Map(int fd, long length, string path)
    {
        void* address = LibC.MMap(null, (nuint)length, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd, 0);
        if (address == (void*)-1)
        {
            int errno = Marshal.GetLastSystemError();
            throw new SharedChannelException($"Could not map {length} bytes of '{path}': {LibC.Describe(errno)}.");
        }

        return new SegmentMapping(address, (nuint)length);
    }

    protected override bool ReleaseHandle() => LibC.MUnmap((void*)handle, _length) == 0;
}
