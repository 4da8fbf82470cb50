using System.Runtime.InteropServices;
using NeoBuffer.Interop;

namespace NeoBuffer.Sealed;

/// <summary>
/// The memory behind a sealed channel: an anonymous memfd whose size is sealed (no shrink, no grow) and whose seals are
/// sealed too, so no process that ever receives it can truncate it under another's mapping (which would SIGBUS them).
/// </summary>
internal static class SealedMemfd
{
    /// <summary>The seals a segment must carry before anyone maps it.</summary>
    public const int RequiredSeals = LibC.F_SEAL_SHRINK | LibC.F_SEAL_GROW | LibC.F_SEAL_SEAL;

    /// <summary>Creates a memfd of <paramref name="length"/> bytes, backed by real pages, and seals it.</summary>
    /// <remarks>
    /// Sealed before the header is written: the seals do not stop writes, and no one else has the descriptor yet, so
    /// the order does not matter to peers, while sealing first means no code path can ever map it unsealed.
    /// </remarks>
    public static int Create(string name, long length)
    {
        int fd = LibC.MemfdCreate("neobuffer." + name, LibC.MFD_CLOEXEC | LibC.MFD_ALLOW_SEALING);
        if (fd < 0)
        {
            throw new SharedChannelException($"Cannot create sealed channel '{name}': memfd_create failed: {LibC.Describe(Marshal.GetLastSystemError())}.");
        }

        // fallocate, not ftruncate alone: a memfd is charged to tmpfs/memcg, and reserving now turns "out of memory"
        // into an error here rather than a SIGBUS at the first write.
        int error = LibC.PosixFAllocate(fd, 0, length);
        if (error is LibC.EOPNOTSUPP or LibC.EINVAL)
        {
            error = LibC.FTruncate(fd, length) == 0 ? 0 : Marshal.GetLastSystemError();
        }

        if (error == 0 && LibC.FcntlInt(fd, LibC.F_ADD_SEALS, RequiredSeals) != 0)
        {
            error = Marshal.GetLastSystemError();
        }

        if (error != 0)
        {
            LibC.Close(fd);
            throw error == LibC.ENOSPC
                ? new SharedChannelException($"Cannot create sealed channel '{name}': not enough memory for {length} bytes. Use a smaller Capacity.")
                : new SharedChannelException($"Cannot size and seal channel '{name}' ({length} bytes): {LibC.Describe(error)}.");
        }

        return fd;
    }

    /// <summary>Throws unless <paramref name="fd"/> carries every seal of <see cref="RequiredSeals"/>.</summary>
    public static void RequireSealed(int fd, string source)
    {
        int seals = LibC.FcntlInt(fd, LibC.F_GET_SEALS, 0);
        if (seals < 0)
        {
            // EINVAL: not a memfd (or other sealable file) at all, so nothing stops the sender truncating it.
            throw new SharedChannelException(
                $"Refusing the segment offered by '{source}': it is not a sealable memfd ({LibC.Describe(Marshal.GetLastSystemError())}), so its sender could truncate it under this process.");
        }

        if ((seals & RequiredSeals) != RequiredSeals)
        {
            throw new SharedChannelException(
                $"Refusing the segment offered by '{source}': a peer offered an unsealed segment (seals 0x{seals:X}; shrink, grow and seal 0x{RequiredSeals:X} are all required), so it could truncate it under this process.");
        }
    }

    /// <summary>
    /// Opens the memfd behind <paramref name="fd"/> again, as a new open file description. Liveness is OFD locks, which
    /// belong to the open file description: a descriptor passed over a socket shares its sender's, so it must never be
    /// locked or kept. Reopening gives each process locks of its own, and a peer keeping a passed descriptor keeps no
    /// one's locks alive.
    /// </summary>
    public static int Reopen(int fd, string source)
    {
        int reopened = LibC.Open($"/proc/self/fd/{fd}", LibC.O_RDWR | LibC.O_CLOEXEC, 0);
        if (reopened < 0)
        {
            throw new SharedChannelException($"Cannot reopen the segment of '{source}' through /proc/self/fd: {LibC.Describe(Marshal.GetLastSystemError())}. Sealed channels need /proc mounted.");
        }

        return reopened;
    }
}
