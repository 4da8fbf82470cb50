using System;
using System.Runtime.InteropServices;

namespace NeoBuffer.Interop;

/// <summary>The few libc entry points the runtime needs, bound with source-generated marshalling.</summary>
internal static unsafe partial class LibC
{
    private const string Library = "libc";

    // Every constant below is checked for both x86-64 and arm64, the two architectures NeoBuffer runs on, against the
    // kernel's uapi headers; InteropConstantsTests checks the running one against the kernel's behaviour. x86-64 and
    // arm64 both use the asm-generic values (errno, fcntl commands and F_OFD_*, mmap, memfd and seal flags, socket
    // constants, struct flock/msghdr/cmsghdr layouts on 64-bit), except where a value is chosen per architecture.
    public const int O_RDONLY = 0x0;
    public const int O_RDWR = 0x2;
    public const int O_NONBLOCK = 0x800; // the same on x86-64 and arm64
    public const int O_CREAT = 0x40;
    public const int O_EXCL = 0x80;
    public const int O_CLOEXEC = 0x80000;

    /// <summary>
    /// O_NOFOLLOW, which arm64 (like arm) moves: 0100000 there, where 0400000 (x86-64's O_NOFOLLOW) is O_LARGEFILE, a
    /// no-op on 64-bit: with x86-64's value, arm64 would follow a symlink planted at a segment's path. An architecture
    /// not in the table is refused rather than given a guess.
    /// </summary>
    public static int O_NOFOLLOW => s_noFollow != 0
        ? s_noFollow
        : throw new PlatformNotSupportedException($"NeoBuffer runs on x86-64 and arm64 Linux; this process is {RuntimeInformation.ProcessArchitecture}.");

    private static readonly int s_noFollow = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 0x20000,
        Architecture.Arm64 => 0x8000,
        _ => 0,
    };

    public const int PROT_READ = 0x1;
    public const int PROT_WRITE = 0x2;
    public const int MAP_SHARED = 0x1;

    public const int SEEK_END = 2;

    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int ENOENT = 2;
    public const int EEXIST = 17;
    public const int ELOOP = 40;
    public const int ENOSPC = 28;
    public const int EACCES = 13;
    public const int EFAULT = 14;
    public const int ETIMEDOUT = 110;
    public const int EOPNOTSUPP = 95;
    public const int ENOSYS = 38;

    [LibraryImport(Library, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Open(string path, int flags, int mode);

    [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Library, EntryPoint = "ftruncate", SetLastError = true)]
    public static partial int FTruncate(int fd, long length);

    /// <summary>Returns an errno value directly (it does not set errno).</summary>
    [LibraryImport(Library, EntryPoint = "posix_fallocate")]
    public static partial int PosixFAllocate(int fd, long offset, long length);

    [LibraryImport(Library, EntryPoint = "lseek", SetLastError = true)]
    public static partial long LSeek(int fd, long offset, int whence);

    [LibraryImport(Library, EntryPoint = "pread", SetLastError = true)]
    public static partial nint PRead(int fd, byte* buffer, nuint count, long offset);

    [LibraryImport(Library, EntryPoint = "pwrite", SetLastError = true)]
    public static partial nint PWrite(int fd, byte* buffer, nuint count, long offset);

    [LibraryImport(Library, EntryPoint = "mmap", SetLastError = true)]
    public static partial void* MMap(void* address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport(Library, EntryPoint = "munmap", SetLastError = true)]
    public static partial int MUnmap(void* address, nuint length);

    [LibraryImport(Library, EntryPoint = "unlink", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Unlink(string path);

    public const int F_OFD_GETLK = 36;
    public const int F_OFD_SETLK = 37;
    public const int F_OFD_SETLKW = 38;
    public const short F_RDLCK = 0;
    public const short F_WRLCK = 1;
    public const short F_UNLCK = 2;
    public const short SEEK_SET = 0;

    /// <summary>struct flock on 64-bit Linux (x86-64 and arm64 share it).</summary>
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    public struct Flock
    {
        public short Type;
        public short Whence;
        public long Start;
        public long Length;
        public int Pid;
    }

    /// <summary>fcntl with a struct flock argument (the only form NeoBuffer uses).</summary>
    [LibraryImport(Library, EntryPoint = "fcntl", SetLastError = true)]
    public static partial int FcntlLock(int fd, int command, Flock* flock);

    [LibraryImport(Library, EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Link(string existing, string created);

    [LibraryImport(Library, EntryPoint = "syscall", SetLastError = true)]
    public static partial long Syscall6(long number, nint a1, nint a2, nint a3, nint a4, nint a5, nint a6);

    [LibraryImport(Library, EntryPoint = "strerror")]
    private static partial nint StrError(int errno);

    /// <summary>The C library's description of an errno value, for exception messages.</summary>
    public static string Describe(int errno) => $"{Marshal.PtrToStringUTF8(StrError(errno))} (errno {errno})";
}
