using System;
using System.Runtime.InteropServices;
using NeoBuffer.Format;
using NeoBuffer.Interop;
using NeoBuffer.Ring;
using NeoBuffer.Segments;

namespace NeoBuffer.Inspection;

/// <summary>
/// A segment opened the way a tool opens it: a read-only descriptor and a read-only mapping, taken only after the
/// header has validated, so nothing a tool does can change a byte of it. Locks are only tested (F_OFD_GETLK), never
/// taken, which needs no write access either.
/// </summary>
/// <remarks>
/// The identity block and the schema text are read once through pread into a private buffer and validated there;
/// <see cref="CheckUnchanged"/> compares that buffer with the mapping after a tool has read what it wanted, so a
/// segment replaced or rewritten in the meantime is reported instead of being shown half old, half new. A peer that
/// truncates the file while it is mapped can still make a load fault (SIGBUS), as it can for any participant of a
/// channel that is not sealed (docs/security.md).
/// </remarks>
internal sealed unsafe class ReadOnlySegment : IDisposable
{
    private readonly int _fd;
    private readonly byte[] _identity;
    private readonly long _length;
    private byte* _address;

    private ReadOnlySegment(string name, string path, int fd, SegmentGeometry geometry, byte[] identity, long length, byte* address)
    {
        Name = name;
        Path = path;
        _fd = fd;
        Geometry = geometry;
        _identity = identity;
        _length = length;
        _address = address;
    }

    public string Name { get; }

    public string Path { get; }

    public SegmentGeometry Geometry { get; }

    public ChannelHeader* Header => (ChannelHeader*)_address;

    public byte* Data => _address + Geometry.DataOffset;

    public ParticipantRow* Row(int row) => (ParticipantRow*)(_address + Geometry.ParticipantTableOffset) + row;

    /// <summary>Opens and validates the segment at <paramref name="path"/> read-only.</summary>
    /// <exception cref="ChannelNotFoundException">There is no such file.</exception>
    /// <exception cref="ChannelFormatException">It is not a whole, valid channel.</exception>
    public static ReadOnlySegment Open(string name, string path)
    {
        // O_NONBLOCK: opening a FIFO to read would otherwise wait for a writer to open it, for ever. Anything but a
        // regular file is then refused before it is read; on a regular file the flag changes nothing.
        int fd = LibC.Open(path, LibC.O_RDONLY | LibC.O_NONBLOCK | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastSystemError();
            throw errno switch
            {
                LibC.ENOENT => new ChannelNotFoundException($"No channel named '{name}' exists ('{path}' is missing). Check the name and the directory (--dir, NEOBUFFER_DIR)."),
                LibC.ELOOP => new SharedChannelException($"Refusing to open channel '{name}': '{path}' is a symbolic link."),
                LibC.EACCES => new SharedChannelException($"Cannot read channel '{name}': permission denied for '{path}'."),
                _ => new SharedChannelException($"Cannot open channel '{name}' at '{path}': {LibC.Describe(errno)}."),
            };
        }

        try
        {
            SegmentFile.RequireRegularFile(fd, path);
            SegmentGeometry geometry = SharedSegment.ReadFinishedHeader(fd, path, out byte[] prefix, out long length);
            byte[] identity = prefix.AsSpan(0, geometry.SchemaOffset + System.Text.Encoding.UTF8.GetByteCount(geometry.SchemaText)).ToArray();
            void* address = LibC.MMap(null, (nuint)length, LibC.PROT_READ, LibC.MAP_SHARED, fd, 0);
            if (address == (void*)-1)
            {
                throw new SharedChannelException($"Could not map {length} bytes of '{path}' to read them: {LibC.Describe(Marshal.GetLastSystemError())}.");
            }

            return new ReadOnlySegment(name, path, fd, geometry, identity, length, (byte*)address);
        }
        catch
        {
            LibC.Close(fd);
            throw;
        }
    }

    /// <summary>Whether another process holds the lock on row <paramref name="row"/>: the row's holder is alive.</summary>
    public bool IsRowAlive(int row) => ByteLocks.IsLockedByOther(_fd, Geometry.ParticipantTableOffset + (long)row * ParticipantRow.Size);

    /// <summary>Whether any live process is attached (holds the attach lock).</summary>
    public bool IsAttached => ByteLocks.IsLockedByOther(_fd, SharedSegment.AttachLockOffset);

    /// <summary>
    /// Throws <see cref="ChannelFormatException"/> unless the identity block, the participant table's shape and the
    /// schema text are still the bytes validated at open, and the file still has its length: call it after reading.
    /// </summary>
    public void CheckUnchanged()
    {
        ProtocolPoint.Reached(ProtocolPoint.InspectionRead);
        bool same = SegmentFile.SizeOf(_fd) == _length &&
            new ReadOnlySpan<byte>(_address, ChannelHeader.ChecksummedBytes + sizeof(ulong)).SequenceEqual(_identity.AsSpan(0, ChannelHeader.ChecksummedBytes + sizeof(ulong))) &&
            new ReadOnlySpan<byte>(_address + Geometry.SchemaOffset, _identity.Length - Geometry.SchemaOffset).SequenceEqual(_identity.AsSpan(Geometry.SchemaOffset));
        if (!same)
        {
            throw new ChannelFormatException($"'{Path}' changed while it was read: its header, schema text or length is no longer what was validated. It was replaced or rewritten; read it again.");
        }
    }

    public void Dispose()
    {
        if (_address != null)
        {
            LibC.MUnmap(_address, (nuint)_length);
            _address = null;
            LibC.Close(_fd);
        }
    }
}
