using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace NeoBuffer.Runtime.Tests;

/// <summary>This process's open descriptors (/proc/self/fd), for tests in <see cref="DescriptorCountCollection"/>.</summary>
internal static class OpenDescriptors
{
    public static int Count() => Directory.GetFiles("/proc/self/fd").Length - 1; // the enumeration's own descriptor

    /// <summary>
    /// The count a test compares against later: first the handles earlier tests left to the finalizer are closed, so
    /// that none closes in the middle of the test (a CI run once saw 183 descriptors where 184 were counted 31 ms
    /// before, with nothing of the test's own closed).
    /// </summary>
    public static int Baseline()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return Count();
    }

    /// <summary>
    /// Every descriptor open now, each as its number and what it names (a path, <c>socket:[inode]</c>,
    /// <c>pipe:[inode]</c>), after the same settling as <see cref="Baseline"/>. A leak shows as an entry open later that
    /// is not in here; a number reused by a leaked descriptor shows too, since it names another object. Descriptors
    /// the runtime closes meanwhile on its own (a child's output pipes, read to their end on a pool thread after an
    /// earlier test; a CI run saw two such close during a test) only leave entries, and never fail the check.
    /// </summary>
    public static DescriptorSnapshot Snapshot()
    {
        Baseline();
        return new DescriptorSnapshot(Entries());
    }

    // Without the listing's own descriptor (the /proc/PID/fd directory), whose number may differ from one listing to the next.
    internal static HashSet<string> Entries() =>
        Directory.GetFiles("/proc/self/fd")
            .Select(path => (Number: Path.GetFileName(path), Target: Target(path)))
            .Where(fd => !(fd.Target.StartsWith("/proc/", StringComparison.Ordinal) && fd.Target.EndsWith("/fd", StringComparison.Ordinal)))
            .Select(fd => $"{fd.Number} -> {fd.Target}")
            .ToHashSet();

    // A descriptor closed between the listing and the read (the listing's own, or another thread's) names nothing.
    private static string Target(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget ?? "?";
        }
        catch (IOException)
        {
            return "closed";
        }
    }
}

/// <summary>The descriptors open at one moment (<see cref="OpenDescriptors.Snapshot"/>), to compare a later moment with.</summary>
internal sealed class DescriptorSnapshot(HashSet<string> entries)
{
    /// <summary>Descriptors open now that were not then: what the code under test left open.</summary>
    public IReadOnlyList<string> OpenedSince() => OpenDescriptors.Entries().Where(entry => !entries.Contains(entry) && !entry.EndsWith("-> closed", StringComparison.Ordinal)).ToList();

    /// <summary>Descriptors open then that are not now.</summary>
    public IReadOnlyList<string> ClosedSince()
    {
        HashSet<string> now = OpenDescriptors.Entries();
        return entries.Where(entry => !now.Contains(entry) && !entry.EndsWith("-> closed", StringComparison.Ordinal)).ToList();
    }
}

/// <summary>Tests that count this process's descriptors: they run alone, since any parallel test opens some.</summary>
[CollectionDefinition(nameof(DescriptorCountCollection), DisableParallelization = true)]
public sealed class DescriptorCountCollection
{
}
