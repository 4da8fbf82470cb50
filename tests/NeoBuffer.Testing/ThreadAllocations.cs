using System;

namespace NeoBuffer.Testing;

/// <summary>
/// Measures what a piece of work allocates on the calling thread, for the "nothing allocated per message" tests. The
/// runtime itself allocates a few bytes on a thread now and then (tiered compilation, on-stack replacement), which is
/// not the hot path's doing; an allocation per message shows in every window. So the work runs in several windows and
/// a test claims that at least one was clean, printing all of them when none was.
/// </summary>
public static class ThreadAllocations
{
    /// <summary>Runs <paramref name="window"/> <paramref name="windows"/> times; returns the bytes each run allocated on this thread.</summary>
    public static long[] PerWindow(Action window, int windows = 5)
    {
        var allocated = new long[windows];
        for (int i = 0; i < windows; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            window();
            allocated[i] = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        return allocated;
    }

    /// <summary>The failure message of a test whose windows were all dirty.</summary>
    public static string Describe(long[] windows, string window) => $"bytes allocated per window of {window}: {string.Join(", ", windows)}";
}
