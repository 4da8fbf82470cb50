using System;
using System.IO;
using System.Runtime.InteropServices;

namespace NeoBuffer.Bench.Harness;

/// <summary>
/// Pins each process, every thread of it, to its own CPU: the parent to CPU 0, every child to CPU 1. Left to the
/// scheduler, the two processes of a 2-vCPU machine sometimes share one CPU, and then a "cross-process" run is really
/// one core filling the ring and then draining it, all in its own cache: several times faster, and not the case being
/// measured (and spinning round trips crawl at one per time slice). Pinned apart, every run measures a producer and a
/// consumer running at the same time on different cores.
/// <para>
/// The parent decides and tells each child its CPU in <see cref="ChildCpuVariable"/>: a child cannot decide alone,
/// because it inherits the parent's pinned affinity and so sees a single CPU in <see cref="Environment.ProcessorCount"/>.
/// </para>
/// <para>
/// Only the two-process runs pin (<c>spsc</c>, <c>report</c>, <c>parked</c>): the runs with many busy children
/// (broadcast, MPSC) leave their children's placement to the scheduler (<see cref="AnyCpu"/>), since pinning every child
/// to one CPU would serialise them. The idle readers of <c>parked</c> are pinned too (to CPU 1), which costs nothing:
/// they only sleep.
/// </para>
/// <para>
/// The whole process, not only the measuring thread: pinned alone, the measuring thread left the runtime's own threads
/// (the GC's, the finalizer, tiered compilation, the children's parent watch) free to run on the other process's CPU,
/// where they took turns with the peer being measured. Every thread that exists is pinned, and threads started later
/// inherit the mask of the thread that starts them, which is pinned too.
/// </para>
/// </summary>
internal static partial class CpuPinning
{
    public const string ChildCpuVariable = "NEOBUFFER_BENCH_CPU";

    /// <summary>The value of <see cref="ChildCpuVariable"/> that lets a child's threads run on every CPU.</summary>
    public const string AnyCpu = "any";

    private const int ParentCpu = 0;
    private const int ChildCpu = 1;

    // Read before the parent pins itself, which would make it see one CPU.
    private static readonly bool s_canPinApart = Environment.ProcessorCount >= 2;
    private static bool s_parentPinned;

    /// <summary>What the run does about placement, for the report.</summary>
    public static string Description => s_canPinApart
        ? $"whole processes pinned: consumer (and memcpy) to CPU {ParentCpu}, producer to CPU {ChildCpu}"
        : "none (one CPU): producer and consumer share it";

    /// <summary>In the parent: pins the calling (measuring) thread to CPU 0.</summary>
    public static void PinParent()
    {
        if (s_canPinApart)
        {
            PinProcess(1UL << ParentCpu);
            s_parentPinned = true;
        }
    }

    /// <summary>In the parent: the environment entry that tells a child its CPU, or null when nothing is pinned.</summary>
    public static string? ChildCpuSetting => s_parentPinned ? ChildCpu.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;

    /// <summary>
    /// In a child: pins the whole process to the CPU the parent chose, or lets it run on every CPU (<see cref="AnyCpu"/>:
    /// it inherited the pinned parent's single CPU otherwise).
    /// </summary>
    public static void PinChild()
    {
        string? setting = Environment.GetEnvironmentVariable(ChildCpuVariable);
        if (setting == AnyCpu)
        {
            PinProcess(ulong.MaxValue); // the kernel keeps the CPUs that exist
        }
        else if (int.TryParse(setting, out int cpu))
        {
            PinProcess(1UL << cpu);
        }
    }

    private static void PinProcess(ulong mask)
    {
        // Every thread of the process by its id; a thread that exits meanwhile (ESRCH) needs no pinning.
        foreach (string task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            int tid = int.Parse(Path.GetFileName(task), System.Globalization.CultureInfo.InvariantCulture);
            if (SchedSetAffinity(tid, sizeof(ulong), ref mask) != 0 && Marshal.GetLastPInvokeError() != NoSuchThread)
            {
                throw new InvalidOperationException($"sched_setaffinity of thread {tid} to CPU mask 0x{mask:x} failed with errno {Marshal.GetLastPInvokeError()}.");
            }
        }
    }

    private const int NoSuchThread = 3; // ESRCH

    // pid: a thread id (0 would be the calling thread only).
    [LibraryImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static partial int SchedSetAffinity(int pid, nint cpuSetSize, ref ulong mask);
}
