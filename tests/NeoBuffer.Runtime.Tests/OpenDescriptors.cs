using System.IO;

namespace NeoBuffer.Runtime.Tests;

/// <summary>How many descriptors this process has open (/proc/self/fd), for tests in <see cref="DescriptorCountCollection"/>.</summary>
internal static class OpenDescriptors
{
    public static int Count() => Directory.GetFiles("/proc/self/fd").Length - 1; // the enumeration's own descriptor
}

/// <summary>Tests that count this process's descriptors: they run alone, since any parallel test opens some.</summary>
[CollectionDefinition(nameof(DescriptorCountCollection), DisableParallelization = true)]
public sealed class DescriptorCountCollection
{
}
