using System.Runtime.InteropServices;

namespace NeoBuffer.Interop;

/// <summary>The libc entry points process functions need: parent-death signal, signals and descriptor duplication.</summary>
internal static partial class LibC
{
    public const int PR_SET_PDEATHSIG = 1;
    public const int SIGINT = 2;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    public const int F_GETFD = 1;
    public const int F_SETFD = 2;
    public const int FD_CLOEXEC = 1;

    [LibraryImport(Library, EntryPoint = "prctl", SetLastError = true)]
    public static partial int Prctl(int option, nuint argument2, nuint argument3, nuint argument4, nuint argument5);

    [LibraryImport(Library, EntryPoint = "getppid")]
    public static partial int GetParentProcessId();

    [LibraryImport(Library, EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    /// <summary>dup(2): the new descriptor has FD_CLOEXEC clear, so a child started next inherits it.</summary>
    [LibraryImport(Library, EntryPoint = "dup", SetLastError = true)]
    public static partial int Dup(int fd);
}
