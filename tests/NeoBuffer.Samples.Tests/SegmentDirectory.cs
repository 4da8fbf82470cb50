using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

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

    /// <summary>
    /// Waits for channel <paramref name="name"/> to appear here: a segment gets its name only once it is whole, with its
    /// creator attached (docs/format.md, "Lifetime"), so from then on the creator is ready.
    /// </summary>
    public Task WaitForChannelAsync(string name, TimeSpan timeout) =>
        Poll.UntilAsync(() => File.Exists(System.IO.Path.Combine(Path, "neobuffer." + name)), timeout, $"channel '{name}' to appear in {Path}");

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
