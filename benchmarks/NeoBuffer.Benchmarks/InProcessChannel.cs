using System;
using System.IO;

namespace NeoBuffer.Benchmarks;

/// <summary>
/// A writer and a reader of the same SPSC channel in this process, in a private directory under <c>/dev/shm</c> that
/// is removed on dispose (so an interrupted run leaves at most an empty-named directory for the next one to ignore).
/// </summary>
internal sealed class InProcessChannel : IDisposable
{
    private readonly string _directory;

    public InProcessChannel(long capacity)
    {
        _directory = Path.Combine("/dev/shm", $"neobuffer-benchmarks-{Environment.ProcessId}");
        Directory.CreateDirectory(_directory);
        var options = new SharedChannelOptions { Directory = _directory, Capacity = capacity };
        Writer = SharedChannel.CreateWriter("inproc", options);
        Reader = SharedChannel.OpenReader("inproc", options);
    }

    public SharedChannelWriter Writer { get; }

    public SharedChannelReader Reader { get; }

    public void Dispose()
    {
        Reader.Dispose();
        Writer.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
