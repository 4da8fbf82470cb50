using System;
using System.IO;
using System.Runtime.InteropServices;
using NeoBuffer.Interop;

namespace NeoBuffer.Segments;

/// <summary>The file operations behind a segment, each turning errno into an exception that says what to do.</summary>
internal static unsafe class SegmentFile
{
    /// <summary>Creates the file exclusively (never through a symlink), sized and backed by real pages.</summary>
    public static int CreateExclusive(string path, string name, long length, UnixFileMode permissions)
    {
        int fd = LibC.Open(path, LibC.O_RDWR | LibC.O_CREAT | LibC.O_EXCL | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, (int)permissions);
        if (fd < 0)
        {
            int errno = Marshal.GetLastSystemError();
            throw errno switch
            {
                LibC.EEXIST => new ChannelExistsException(
                    $"Channel '{name}' already exists at '{path}'. Open it instead, pick another name, or remove the stale file if no process uses it."),
                LibC.ENOENT => new SharedChannelException($"Cannot create channel '{name}': the directory of '{path}' does not exist."),
                LibC.EACCES => new SharedChannelException($"Cannot create channel '{name}': permission denied for '{path}'."),
                _ => new SharedChannelException($"Cannot create channel '{name}' at '{path}': {LibC.Describe(errno)}."),
            };
        }

        // Unlike ftruncate, fallocate reserves the pages now: a full /dev/shm fails here, with a clear error, instead of
        // as a SIGBUS in the middle of a write later.
        int error = LibC.PosixFAllocate(fd, 0, length);
        if (error is LibC.EOPNOTSUPP or 22 /* EINVAL: the file system cannot preallocate */)
        {
            error = LibC.FTruncate(fd, length) == 0 ? 0 : Marshal.GetLastSystemError();
        }

        if (error != 0)
        {
            LibC.Close(fd);
            LibC.Unlink(path);
            throw error == LibC.ENOSPC
                ? new SharedChannelException(
                    $"Cannot create channel '{name}': not enough space for {length} bytes in the directory of '{path}'. " +
                    "Free space there (df -h), use a smaller Capacity, or point NEOBUFFER_DIR at a larger tmpfs.")
                : new SharedChannelException($"Cannot size channel '{name}' at '{path}' to {length} bytes: {LibC.Describe(error)}.");
        }

        return fd;
    }

    /// <summary>Gives the file at <paramref name="from"/> the name <paramref name="to"/>, failing if that name exists.</summary>
    public static void LinkNew(string from, string to, string name)
    {
        if (LibC.Link(from, to) == 0)
        {
            return;
        }

        int errno = Marshal.GetLastSystemError();
        throw errno == LibC.EEXIST
            ? new ChannelExistsException($"Channel '{name}' already exists at '{to}'. Open it instead, pick another name, or remove the stale file if no process uses it.")
            : new SharedChannelException($"Cannot create channel '{name}' at '{to}': {LibC.Describe(errno)}.");
    }

    /// <summary>Opens an existing segment file read-write, refusing symlinks.</summary>
    public static int OpenExisting(string path, string name)
    {
        int fd = LibC.Open(path, LibC.O_RDWR | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastSystemError();
            throw errno switch
            {
                LibC.ENOENT => new ChannelNotFoundException(
                    $"No channel named '{name}' exists ('{path}' is missing). Create it first, or check that both sides use the same directory (NEOBUFFER_DIR)."),
                LibC.ELOOP => new SharedChannelException($"Refusing to open channel '{name}': '{path}' is a symbolic link."),
                LibC.EACCES => new SharedChannelException($"Cannot open channel '{name}': permission denied for '{path}'. The creator's Permissions option decides who may open it."),
                _ => new SharedChannelException($"Cannot open channel '{name}' at '{path}': {LibC.Describe(errno)}."),
            };
        }

        try
        {
            RequireRegularFile(fd, path);
        }
        catch
        {
            LibC.Close(fd);
            throw;
        }

        return fd;
    }

    /// <summary>
    /// Throws unless <paramref name="fd"/> is a regular file. Anyone who can write the directory can put a FIFO, a socket
    /// or a device under a channel's name: none is a segment, none has a size (lseek fails on a FIFO), and reading a
    /// FIFO waits for a writer that may never come.
    /// </summary>
    /// <exception cref="ChannelFormatException">It is not a regular file.</exception>
    public static void RequireRegularFile(int fd, string path)
    {
        int? type = Handles.DescriptorKind.TypeOf(fd);
        if (type != LibC.S_IFREG)
        {
            string what = type is int known ? Handles.DescriptorKind.Name(known) : $"a file that cannot be examined ({LibC.Describe(Marshal.GetLastSystemError())})";
            throw new ChannelFormatException(
                $"'{path}' cannot be opened as a channel: it is {what}, not a regular file. No NeoBuffer channel is; remove it if no program of yours made it.");
        }
    }

    /// <summary>The file's current size.</summary>
    public static long SizeOf(int fd) => LibC.LSeek(fd, 0, LibC.SEEK_END);

    /// <summary>Reads up to <paramref name="buffer"/>.Length bytes from the start of the file; returns how many it read.</summary>
    public static int ReadPrefix(int fd, Span<byte> buffer) => ReadAt(fd, buffer, 0);

    /// <summary>Reads up to <paramref name="buffer"/>.Length bytes from <paramref name="offset"/>; returns how many it read.</summary>
    public static int ReadAt(int fd, Span<byte> buffer, long offset)
    {
        fixed (byte* p = buffer)
        {
            int total = 0;
            while (total < buffer.Length)
            {
                nint n = LibC.PRead(fd, p + total, (nuint)(buffer.Length - total), offset + total);
                if (n < 0 && Marshal.GetLastSystemError() == LibC.EINTR)
                {
                    continue;
                }

                if (n <= 0)
                {
                    break;
                }

                total += (int)n;
            }

            return total;
        }
    }
}
