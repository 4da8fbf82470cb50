using System;
using System.IO;
using System.Threading;

namespace NeoBuffer.Samples.Tests;

/// <summary>
/// A directory of its own under /dev/shm for one test's segments (the samples get it as NEOBUFFER_DIR), so the test
/// can check that nothing was left behind.
/// </summary>
internal sealed class SegmentDirectory : IDisposable
{
    private static int s_counter;

    public SegmentDirectory()
    {
        Path = System.IO.Path.Combine("/dev/shm", $"neobuffer-sample-tests-{Environment.ProcessId}-{Interlocked.Increment(ref s_counter)}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>The files in it now (segments left behind, once every process has exited).</summary>
    public string[] Files => Directory.GetFileSystemEntries(Path);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
