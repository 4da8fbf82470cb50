using System;
using System.IO;
using System.Threading;

namespace NeoBuffer.Testing;

/// <summary>
/// A unique channel name for one test, in a directory of its own under /dev/shm. Each channel gets its own directory
/// because every create and open sweeps stale segments from its directory: a test that leaves a segment of a killed
/// process behind on purpose must not have it swept by another test running in parallel.
/// </summary>
public sealed class TestChannel : IDisposable
{
    private static int s_counter;

    static TestChannel()
    {
        // Directories of test processes that died without their exit hook (killed by a timeout) are removed here.
        foreach (string stale in System.IO.Directory.GetDirectories("/dev/shm", "neobuffer-tests-*"))
        {
            if (int.TryParse(Path.GetFileName(stale).Substring("neobuffer-tests-".Length), out int pid) && !File.Exists($"/proc/{pid}/stat"))
            {
                try
                {
                    System.IO.Directory.Delete(stale, recursive: true);
                }
                catch (IOException)
                {
                    // Another test process got there first.
                }
            }
        }

        // Each test process keeps its segments in a directory of its own; remove it when the process ends.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            string directory = Path.Combine("/dev/shm", "neobuffer-tests-" + Environment.ProcessId);
            if (System.IO.Directory.Exists(directory))
            {
                System.IO.Directory.Delete(directory, recursive: true);
            }
        };
    }

    private readonly bool _ownsDirectory;

    /// <summary>A channel in a new directory of its own.</summary>
    public TestChannel(string? prefix = null)
    {
        Name = NewName(prefix);
        Directory = Path.Combine("/dev/shm", "neobuffer-tests-" + Environment.ProcessId, Name);
        System.IO.Directory.CreateDirectory(Directory);
        _ownsDirectory = true;
    }

    /// <summary>A second channel in the directory of <paramref name="neighbour"/>, for tests of what one channel's create or open does to another's segment.</summary>
    public TestChannel(string? prefix, TestChannel neighbour)
    {
        Name = NewName(prefix);
        Directory = neighbour.Directory;
    }

    /// <summary>The channel name.</summary>
    public string Name { get; }

    /// <summary>The directory its segment lives in.</summary>
    public string Directory { get; }

    /// <summary>The segment file's path.</summary>
    public string SegmentPath => Path.Combine(Directory, "neobuffer." + Name);

    /// <summary>Options pointing at this test's directory, with the given capacity.</summary>
    public SharedChannelOptions Options(long capacity = 1 << 16, int? maxMessageSize = null)
    {
        var options = new SharedChannelOptions { Directory = Directory, Capacity = capacity };
        if (maxMessageSize is int max)
        {
            options.MaxMessageSize = max;
        }

        return options;
    }

    /// <summary>Removes the segment if a test left it behind, and the directory if this channel made it.</summary>
    public void Dispose()
    {
        if (File.Exists(SegmentPath))
        {
            File.Delete(SegmentPath);
        }

        if (_ownsDirectory && System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    private static string NewName(string? prefix) => $"{prefix ?? "t"}-{Environment.ProcessId}-{Interlocked.Increment(ref s_counter)}";
}
