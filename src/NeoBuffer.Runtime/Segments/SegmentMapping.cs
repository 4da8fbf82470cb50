using System;
using System.Runtime.InteropServices;
using System.Threading;
using NeoBuffer.Interop;

namespace NeoBuffer.Segments;

/// <summary>
/// A MAP_SHARED mapping of a segment file. A SafeHandle, so that a wait in progress (which holds a reference) keeps the
/// memory mapped (and, after <see cref="CloseWithMapping"/>, the segment's descriptor open) until it returns, even when
/// its channel is disposed from another thread meanwhile.
/// </summary>
internal sealed unsafe class SegmentMapping : SafeHandle
{
    private readonly nuint _length;
    private int _descriptorToClose = -1;

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

    /// <summary>
    /// Hands over the segment's descriptor, closed with the mapping once no wait holds it any more: a peer check still
    /// running on another thread then probes the right file, never a descriptor number reused by a later open.
    /// </summary>
    public void CloseWithMapping(int descriptor) => Volatile.Write(ref _descriptorToClose, descriptor);

    protected override bool ReleaseHandle()
    {
        bool unmapped = LibC.MUnmap((void*)handle, _length) == 0;
        int descriptor = Volatile.Read(ref _descriptorToClose);
        if (descriptor >= 0)
        {
            LibC.Close(descriptor); // releases any lock this endpoint still held
        }

        return unmapped;
    }
}
