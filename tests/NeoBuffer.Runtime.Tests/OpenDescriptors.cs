using System;
using System.IO;

namespace NeoBuffer.Runtime.Tests;

/// <summary>How many descriptors this process has open (/proc/self/fd), for tests in <see cref="DescriptorCountCollection"/>.</summary>
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
}

/// <summary>Tests that count this process's descriptors: they run alone, since any parallel test opens some.</summary>
[CollectionDefinition(nameof(DescriptorCountCollection), DisableParallelization = true)]
public sealed class DescriptorCountCollection
{
}
