using System;
using System.IO;
using System.IO.MemoryMappedFiles;
using System.Threading;

namespace NeoBuffer.Testing;

/// <summary>
/// A small file of 64-bit counters in the scratch directory, mapped by the parent and its children. A child stores its
/// progress there (messages committed, reads, a heartbeat) as it goes, so the parent can read it at any moment, and
/// still read the last value after it SIGKILLs the child: the page outlives the process. It replaces exit reports a
/// killed child could never print.
/// </summary>
public sealed unsafe class SharedCounters : IDisposable
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly long* _counters;

    private SharedCounters(MemoryMappedFile file, int count)
    {
        _file = file;
        _view = file.CreateViewAccessor(0, (long)count * sizeof(long));
        byte* start = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
        _counters = (long*)(start + _view.PointerOffset);
        Count = count;
    }

    public int Count { get; }

    /// <summary>In the parent: creates the file with <paramref name="count"/> zeroed counters.</summary>
    public static SharedCounters Create(string path, int count)
    {
        using (FileStream stream = new(path, FileMode.CreateNew, FileAccess.ReadWrite))
        {
            stream.SetLength((long)count * sizeof(long));
        }

        return Open(path);
    }

    /// <summary>In a child: maps the file the parent made.</summary>
    public static SharedCounters Open(string path)
    {
        long length = new FileInfo(path).Length;
        return new SharedCounters(MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.ReadWrite), (int)(length / sizeof(long)));
    }

    public long Read(int index) => Volatile.Read(ref _counters[Check(index)]);

    public void Write(int index, long value) => Volatile.Write(ref _counters[Check(index)], value);

    public void Increment(int index) => Interlocked.Increment(ref _counters[Check(index)]);

    public void Dispose()
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }

    private int Check(int index) => (uint)index < (uint)Count ? index : throw new ArgumentOutOfRangeException(nameof(index), index, $"Only {Count} counters.");
}
