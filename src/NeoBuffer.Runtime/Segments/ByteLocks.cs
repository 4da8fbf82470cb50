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
    /// Takes the write lock on byte <paramref name="offset"/>, waiting at most <paramref name="timeout"/> for other
    /// holders to let go (zero: one try); false past it, with nothing taken.
    /// </summary>
    /// <remarks>
    /// Never <c>F_OFD_SETLKW</c>: that sleeps in the kernel until the holder lets go, with no timeout, and no signal a
    /// .NET process handles ends it (the runtime retries EINTR). Any process that can open the file can take a lock and
    /// keep it, so a blocking wait would hang for as long as a hostile peer, or a holder stopped by SIGSTOP or a
    /// debugger, likes. The locks polled here are held by honest peers for a few system calls, so the first retries
    /// only yield, and later ones sleep in growing steps of at most 10 ms.
    /// </remarks>
    public static bool TryLockExclusive(int fd, long offset, TimeSpan timeout)
    {
        long deadline = MonotonicClock.NowNs + (long)timeout.TotalMilliseconds * 1_000_000;
        for (int attempt = 0; ; attempt++)
        {
            if (TryLock(fd, offset))
            {
                return true;
            }

            if (MonotonicClock.NowNs >= deadline)
            {
                return false;
            }

            if (attempt < YieldingAttempts)
            {
                Thread.Yield();
            }
            else
            {
                Thread.Sleep(Math.Min(attempt - YieldingAttempts + 1, MaxSleepMs));
            }
        }
    }

    private const int YieldingAttempts = 16;
    private const int MaxSleepMs = 10;

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
