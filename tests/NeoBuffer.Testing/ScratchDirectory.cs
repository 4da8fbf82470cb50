using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;

namespace NeoBuffer.Testing;

/// <summary>
/// The one directory under <c>/dev/shm</c> where a run puts every segment and mapping file it makes; deleted when the
/// run ends, fails or is interrupted. A run killed with SIGKILL cannot clean up, so each run first removes the
/// directories of runs whose process is gone. Children exit by themselves when the parent goes (<see cref="ParentWatch"/>).
/// <para>
/// <c>NEOBUFFER_SCRATCH_ROOT</c> puts the directory under another tmpfs instead (say, one mounted with
/// <c>huge=within_size</c>, to measure rings on huge pages): every segment, ring and baseline buffer of the run goes there.
/// </para>
/// </summary>
public sealed class ScratchDirectory : IDisposable
{
    private const string RootVariable = "NEOBUFFER_SCRATCH_ROOT";
    private static readonly string Root = Environment.GetEnvironmentVariable(RootVariable) is { Length: > 0 } root ? root : "/dev/shm";
    private const string Prefix = "neobuffer-bench-";
    private readonly PosixSignalRegistration[] _signals;
    private int _deleted;

    public ScratchDirectory()
    {
        SweepAbandoned();
        Path = System.IO.Path.Combine(Root, Prefix + Environment.ProcessId);
        Directory.CreateDirectory(Path);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Dispose();

        // Termination signals do not unwind the stack, so no finally block runs: delete here, then let the signal
        // terminate the process as it would have.
        _signals =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => Dispose()),
            PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => Dispose()),
            PosixSignalRegistration.Create(PosixSignal.SIGHUP, _ => Dispose()),
            PosixSignalRegistration.Create(PosixSignal.SIGQUIT, _ => Dispose()),
        ];
    }

    public string Path { get; }

    public void Dispose()
    {
        if (System.Threading.Interlocked.Exchange(ref _deleted, 1) != 0)
        {
            return;
        }

        foreach (PosixSignalRegistration signal in _signals)
        {
            signal.Dispose();
        }

        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }

    private static void SweepAbandoned()
    {
        foreach (string directory in Directory.EnumerateDirectories(Root, Prefix + "*"))
        {
            string pidText = System.IO.Path.GetFileName(directory)[Prefix.Length..];
            if (int.TryParse(pidText, out int pid) && !IsRunning(pid))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
