using System;
using System.Runtime.InteropServices;

namespace NeoBuffer.Bench.Harness;

/// <summary>
/// Pins the measuring thread of each process to its own CPU: the parent to CPU 0, every child to CPU 1. Left to the
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
/// (broadcast, MPSC, stress, chaos) leave placement to the scheduler, since pinning every child to one CPU would
/// serialise them. The idle readers of <c>parked</c> are pinned too (to CPU 1), which costs nothing: they only sleep.
/// </para>
/// </summary>
internal static partial class CpuPinning
{
    public const string ChildCpuVariable = "NEOBUFFER_BENCH_CPU";

    private const int ParentCpu = 0;
    private const int ChildCpu = 1;

    // Read before the parent pins itself, which would make it see one CPU.
    private static readonly bool s_canPinApart = Environment.ProcessorCount >= 2;
    private static bool s_parentPinned;

    /// <summary>What the run does about placement, for the report.</summary>
    public static string Description => s_canPinApart
        ? $"consumer (and memcpy) pinned to CPU {ParentCpu}, producer to CPU {ChildCpu}"
        : "none (one CPU): producer and consumer share it";

    /// <summary>In the parent: pins the calling (measuring) thread to CPU 0.</summary>
    public static void PinParent()
    {
        if (s_canPinApart)
        {
            Pin(ParentCpu);
            s_parentPinned = true;
        }
    }

    /// <summary>In the parent: the environment entry that tells a child its CPU, or null when nothing is pinned.</summary>
    public static string? ChildCpuSetting => s_parentPinned ? ChildCpu.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;

    /// <summary>In a child: pins the calling (working) thread to the CPU the parent chose, if it chose one.</summary>
    public static void PinChild()
    {
        if (int.TryParse(Environment.GetEnvironmentVariable(ChildCpuVariable), out int cpu))
        {
            Pin(cpu);
        }
    }

    private static void Pin(int cpu)
    {
        ulong mask = 1UL << cpu;
        if (SchedSetAffinity(0, sizeof(ulong), ref mask) != 0)
        {
            throw new InvalidOperationException($"sched_setaffinity to CPU {cpu} failed with errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    // pid 0: the calling thread only; the runtime's other threads keep their affinity.
    [LibraryImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static partial int SchedSetAffinity(int pid, nint cpuSetSize, ref ulong mask);
}
