using System;
using System.Runtime.InteropServices;
using System.Threading;
using NeoBuffer.Interop;

namespace NeoBuffer.Segments;

/// <summary>
/// Open-file-description locks on single bytes of a segment file: the liveness proof of docs/format.md. The kernel
/// drops a process's locks when it dies, however it dies, so "nobody holds the lock of this row" proves its holder is
/// gone: no timeout, no pid that could have been recycled, and it works across pid namespaces (the lock is on the
/// file, not on a pid). OFD locks belong to the open file, so two endpoints in one process conflict like two processes.
/// </summary>
internal static unsafe class ByteLocks
{
    /// <summary>Takes the write lock on byte <paramref name="offset"/>; false when another open file holds it.</summary>
    public static bool TryLock(int fd, long offset) => Set(fd, offset, LibC.F_WRLCK);

    /// <summary>Takes a shared (read) lock on byte <paramref name="offset"/>; false when another holds it exclusively.</summary>
    public static bool TryLockShared(int fd, long offset) => Set(fd, offset, LibC.F_RDLCK);

    /// <summary>
    /// Takes the write lock on byte <paramref name="offset"/>, waiting up to <paramref name="patience"/> for other
    /// holders to let go; false when one still holds it then (at once, with a zero patience, when one holds it now).
    /// </summary>
    /// <remarks>
    /// Retried, not slept on in the kernel (<c>F_OFD_SETLKW</c> has no deadline): a lock its holders keep for a few
    /// system calls can be kept for ever by a process that is stopped, or hostile (any process that can open the file
    /// can lock any byte of it), and no attach, detach or sweep may wait on such a process without bound. A few
    /// yields first, for a holder in the middle of its calls, then a millisecond's sleep between tries.
    /// </remarks>
    public static bool TryLockExclusive(int fd, long offset, TimeSpan patience)
    {
        long deadline = Environment.TickCount64 + (long)patience.TotalMilliseconds;
        var spin = new SpinWait();
        while (!TryLock(fd, offset))
        {
            if (Environment.TickCount64 >= deadline)
            {
                return false;
            }

            if (spin.Count < 10)
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }
            else
            {
                Thread.Sleep(1);
            }
        }

        return true;
    }

    /// <summary>Releases this open file's lock on byte <paramref name="offset"/>.</summary>
    public static void Unlock(int fd, long offset) => Set(fd, offset, LibC.F_UNLCK);

    /// <summary>Whether another open file (any live process, or another endpoint here) holds any lock on byte <paramref name="offset"/>.</summary>
    public static bool IsLockedByOther(int fd, long offset) => HeldByOther(fd, offset) != LibC.F_UNLCK;

    /// <summary>
    /// Whether other open files hold only shared locks on byte <paramref name="offset"/> (no exclusive one): an
    /// exclusive lock cannot coexist with another's shared one, so the kernel's answer is unambiguous.
    /// </summary>
    public static bool IsLockedSharedByOther(int fd, long offset) => HeldByOther(fd, offset) == LibC.F_RDLCK;

    // The type of a lock another open file holds on the byte (F_UNLCK: none), as F_OFD_GETLK reports the first one
    // that would conflict with an exclusive lock.
    private static short HeldByOther(int fd, long offset)
    {
        var flock = new LibC.Flock { Type = LibC.F_WRLCK, Whence = LibC.SEEK_SET, Start = offset, Length = 1 };
        if (LibC.FcntlLock(fd, LibC.F_OFD_GETLK, &flock) != 0)
        {
            throw new SharedChannelException($"Cannot test a participant lock: {LibC.Describe(Marshal.GetLastSystemError())}.");
        }

        return flock.Type;
    }

    private static bool Set(int fd, long offset, short type)
    {
        var flock = new LibC.Flock { Type = type, Whence = LibC.SEEK_SET, Start = offset, Length = 1 };
        if (LibC.FcntlLock(fd, LibC.F_OFD_SETLK, &flock) == 0)
        {
            return true;
        }

        int errno = Marshal.GetLastSystemError();
        if (errno is LibC.EAGAIN or LibC.EACCES)
        {
            return false;
        }

        throw new SharedChannelException($"Cannot take a participant lock: {LibC.Describe(errno)}.");
    }
}
