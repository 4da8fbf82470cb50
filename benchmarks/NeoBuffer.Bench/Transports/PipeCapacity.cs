using System.IO.Pipes;
using System.Runtime.InteropServices;

namespace NeoBuffer.Bench.Transports;

/// <summary>
/// Raises an anonymous pipe's kernel buffer from Linux's default 64 KiB (16 pages) to 1 MiB, the unprivileged maximum
/// (/proc/sys/fs/pipe-max-size), as the socket baseline gets the system's largest buffers: with 64 KiB a 64 KiB frame
/// takes a wake-up per message. Best effort: where the call fails, the pipe keeps its default.
/// </summary>
internal static partial class PipeCapacity
{
    private const int SetPipeSize = 1031; // F_SETPIPE_SZ
    private const int Bytes = 1 << 20;

    public static void Raise(PipeStream pipe) => _ = Fcntl((int)pipe.SafePipeHandle.DangerousGetHandle(), SetPipeSize, Bytes);

    [LibraryImport("libc", EntryPoint = "fcntl")]
    private static partial int Fcntl(int fd, int command, int argument);
}
