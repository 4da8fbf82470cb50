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
    /// Every descriptor open now, by number, with what it names (a path, <c>socket:[inode]</c>, <c>pipe:[inode]</c>),
    /// after the same settling as <see cref="Baseline"/>. A leak shows as a descriptor open later that is not in here,
    /// also on a number closed meanwhile when the leaked descriptor names something else (two descriptors of one name,
    /// such as two eventfds, cannot be told apart). Descriptors the runtime closes meanwhile on its own (a child's
    /// output pipes, read to their end on a pool thread after an earlier test; a CI run saw two such close during a
    /// test) only leave the snapshot, and never fail the check.
    /// </summary>
    public static DescriptorSnapshot Snapshot()
    {
        Baseline();
        return new DescriptorSnapshot(Open());
    }

    /// <summary>What each descriptor open now names.</summary>
    public static IEnumerable<string> Targets() => Open().Values;

    /// <summary>Every descriptor open now, as "number -> target" (the form <see cref="DescriptorSnapshot.OpenedSince"/> gives).</summary>
    public static IEnumerable<string> Entries() => Open().Select(fd => Entry(fd.Key, fd.Value));

    internal static string Entry(string number, string target) => $"{number} -> {target}";

    // Without the listing's own descriptor (the /proc/PID/fd directory), whose number may differ from one listing to the
    // next, and without one closed between the listing and its read.
    internal static Dictionary<string, string> Open()
    {
        var open = new Dictionary<string, string>();
        foreach (string path in Directory.GetFiles("/proc/self/fd"))
        {
            string? target = Target(path);
            if (target is not null && !(target.StartsWith("/proc/", StringComparison.Ordinal) && target.EndsWith("/fd", StringComparison.Ordinal)))
            {
                open[Path.GetFileName(path)] = target;
            }
        }

        return open;
    }

    private static string? Target(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
    }
}

/// <summary>The descriptors open at one moment (<see cref="OpenDescriptors.Snapshot"/>), to compare a later moment with.</summary>
internal sealed class DescriptorSnapshot(Dictionary<string, string> open)
{
    /// <summary>Descriptors open now that were not then (as "number -> target"): what the code under test left open.</summary>
    /// <remarks>A file unlinked meanwhile names itself with " (deleted)" appended: the same descriptor, not a new one.</remarks>
    public IReadOnlyList<string> OpenedSince() =>
        OpenDescriptors.Open()
            .Where(now => !(open.TryGetValue(now.Key, out string? then) && (now.Value == then || now.Value == then + " (deleted)")))
            .Select(now => OpenDescriptors.Entry(now.Key, now.Value))
            .ToList();
}

/// <summary>Tests that count this process's descriptors: they run alone, since any parallel test opens some.</summary>
[CollectionDefinition(nameof(DescriptorCountCollection), DisableParallelization = true)]
public sealed class DescriptorCountCollection
{
}
