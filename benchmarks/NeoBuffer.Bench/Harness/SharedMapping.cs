using System;
using System.IO;
using System.IO.MemoryMappedFiles;

namespace NeoBuffer.Bench.Harness;

/// <summary>
/// A file in the scratch directory mapped read-write whole, and its base address: the plain shared buffer the raw
/// baselines (<c>handoff</c>, <c>raw-readers</c>, <c>raw-echo</c>) hand messages through, mapped by this process and its
/// children.
/// </summary>
internal sealed unsafe class SharedMapping : IDisposable
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;

    public SharedMapping(string path)
    {
        _file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.ReadWrite);
        _view = _file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.ReadWrite);
        byte* pointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        Base = pointer + _view.PointerOffset;
    }

    public byte* Base { get; }

    /// <summary>Creates the file at <paramref name="path"/>, <paramref name="bytes"/> long (zeros), for the run to map.</summary>
    public static void CreateFile(string path, long bytes)
    {
        using FileStream created = new(path, FileMode.CreateNew, FileAccess.ReadWrite);
        created.SetLength(bytes);
    }

    public void Dispose()
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}
