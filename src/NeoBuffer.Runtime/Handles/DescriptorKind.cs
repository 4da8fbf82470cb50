using System.Runtime.InteropServices;
using NeoBuffer.Interop;
using NeoBuffer.Sealed;

namespace NeoBuffer.Handles;

/// <summary>What a received descriptor really is, from the kernel (statx, F_GET_SEALS, F_GETFL), never from the peer.</summary>
internal static unsafe class DescriptorKind
{
    /// <summary>Null when <paramref name="fd"/> is a <paramref name="declared"/>, else what it is instead.</summary>
    public static string? Mismatch(int fd, HandleKind declared)
    {
        if (TypeOf(fd) is not int type)
        {
            return $"a descriptor that cannot be examined ({LibC.Describe(Marshal.GetLastSystemError())})";
        }

        bool matches = declared switch
        {
            HandleKind.File => type == LibC.S_IFREG,
            HandleKind.Socket => type == LibC.S_IFSOCK,
            HandleKind.Pipe => type == LibC.S_IFIFO,
            // A channel's segment must be a memfd with every seal: the same test the sealed mode makes before mapping.
            HandleKind.Channel => type == LibC.S_IFREG && (LibC.FcntlInt(fd, LibC.F_GET_SEALS, 0) & SealedMemfd.RequiredSeals) == SealedMemfd.RequiredSeals,
            _ => false,
        };
        if (matches)
        {
            return null;
        }

        string actual = type == LibC.S_IFREG && declared == HandleKind.Channel ? "a file that is not a sealed memfd" : Name(type);
        return $"{actual}, declared {(System.Enum.IsDefined(declared) ? declared.ToString() : $"as unknown kind {(byte)declared}")}";
    }

    /// <summary>The file type of <paramref name="fd"/> (<c>S_IFMT</c> bits of its mode), or null when it cannot be examined (errno set).</summary>
    public static int? TypeOf(int fd)
    {
        LibC.StatX status;
        return LibC.Statx(fd, string.Empty, LibC.AT_EMPTY_PATH, LibC.STATX_TYPE, &status) == 0 ? status.Mode & LibC.S_IFMT : null;
    }

    /// <summary>A file type (<see cref="TypeOf"/>) in words: "a regular file", "a pipe" (a FIFO too), "a socket", ...</summary>
    public static string Name(int type) => type switch
    {
        LibC.S_IFREG => "a regular file",
        LibC.S_IFSOCK => "a socket",
        LibC.S_IFIFO => "a pipe",
        0x4000 => "a directory",
        0x2000 => "a character device",
        0x6000 => "a block device",
        _ => $"a descriptor of type 0x{type:X}",
    };

    /// <summary>How <paramref name="fd"/> was opened: O_RDONLY, O_WRONLY or O_RDWR.</summary>
    public static int AccessMode(int fd)
    {
        int flags = LibC.FcntlInt(fd, LibC.F_GETFL, 0);
        return flags < 0 ? -1 : flags & LibC.O_ACCMODE;
    }
}
