using System.Runtime.InteropServices;

namespace NeoBuffer.Interop;

/// <summary>memfd, file seals and page protection: what the sealed (untrusted) mode adds to <see cref="LibC"/>.</summary>
internal static unsafe partial class LibC
{
    public const uint MFD_CLOEXEC = 0x1;
    public const uint MFD_ALLOW_SEALING = 0x2;

    public const int F_ADD_SEALS = 1033;
    public const int F_GET_SEALS = 1034;
    public const int F_SEAL_SEAL = 0x1;
    public const int F_SEAL_SHRINK = 0x2;
    public const int F_SEAL_GROW = 0x4;
    public const int F_SEAL_WRITE = 0x8;

    public const int EPERM = 1;
    public const int EINVAL = 22;

    [LibraryImport(Library, EntryPoint = "memfd_create", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int MemfdCreate(string name, uint flags);

    /// <summary>fcntl with an int argument (F_ADD_SEALS, F_GET_SEALS).</summary>
    [LibraryImport(Library, EntryPoint = "fcntl", SetLastError = true)]
    public static partial int FcntlInt(int fd, int command, int argument);

    [LibraryImport(Library, EntryPoint = "mprotect", SetLastError = true)]
    public static partial int MProtect(void* address, nuint length, int protection);

    [LibraryImport(Library, EntryPoint = "chmod", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Chmod(string path, int mode);
}
