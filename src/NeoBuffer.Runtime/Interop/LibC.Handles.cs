using System.Runtime.InteropServices;

namespace NeoBuffer.Interop;

/// <summary>
/// What handle passing needs beyond the sealed handover: sequenced-packet sockets in the abstract namespace,
/// non-blocking sends and receives, and the kind of a received descriptor (<c>statx</c>, whose struct is the same on
/// every architecture, unlike <c>struct stat</c>).
/// </summary>
internal static unsafe partial class LibC
{
    public const int SOCK_SEQPACKET = 5;
    public const int SOCK_NONBLOCK = 0x800;
    public const int MSG_DONTWAIT = 0x40;
    public const int MSG_TRUNC = 0x20;
    public const short POLLOUT = 0x4;
    public const int EPIPE = 32;
    public const int ECONNRESET = 104;
    public const int ENOTCONN = 107;
    public const int EMFILE = 24;
    public const int F_GETFL = 3;
    public const int O_ACCMODE = 0x3;
    public const int O_WRONLY = 0x1;

    public const int AT_EMPTY_PATH = 0x1000;
    public const uint STATX_TYPE = 0x1;
    public const uint STATX_INO = 0x100;

    public const int S_IFMT = 0xF000;
    public const int S_IFSOCK = 0xC000;
    public const int S_IFREG = 0x8000;
    public const int S_IFIFO = 0x1000;

    /// <summary>The fields of struct statx handle passing reads (the struct is 256 bytes; offsets per statx(2)).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    public struct StatX
    {
        [FieldOffset(0x00)] public uint Mask;
        [FieldOffset(0x1C)] public ushort Mode;
        [FieldOffset(0x20)] public ulong Inode;
        [FieldOffset(0x88)] public uint DeviceMajor;
        [FieldOffset(0x8C)] public uint DeviceMinor;
    }

    [LibraryImport(Library, EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Statx(int directoryFd, string path, int flags, uint mask, StatX* result);

    [LibraryImport(Library, EntryPoint = "readlink", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial nint ReadLink(string path, byte* buffer, nuint size);
}
