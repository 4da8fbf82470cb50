using System;

namespace NeoBuffer.Nats.Tests;

/// <summary>
/// One end's local channel in a bridge test: a fresh name, its writer and its reader in this process. The near one
/// is what the outbound bridge reads, the far one what the inbound bridge writes.
/// </summary>
internal sealed class LocalChannel<T> : IDisposable where T : unmanaged, IChannelMessage<T>
{
    public LocalChannel(string prefix, SharedChannelOptions? options = null)
    {
        Name = Bridges.NewName(prefix);
        Writer = SharedChannel.CreateWriter<T>(Name, options);
        try
        {
            Reader = SharedChannel.OpenReader<T>(Name);
        }
        catch
        {
            Writer.Dispose();
            throw;
        }
    }

    public string Name { get; }

    public SharedChannelWriter<T> Writer { get; }

    public SharedChannelReader<T> Reader { get; }

    public void Dispose()
    {
        Reader.Dispose();
        Writer.Dispose();
    }
}
