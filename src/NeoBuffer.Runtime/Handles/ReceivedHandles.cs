using System;
using System.IO;
using System.IO.Pipes;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using NeoBuffer.Handles;
using NeoBuffer.Interop;

namespace NeoBuffer;

/// <summary>
/// The handles that came with one message (<see cref="HandleReceiver.Receive(HandleBatch, TimeSpan, System.Threading.CancellationToken)"/>),
/// in the order they were sent. Take each as the .NET type of its kind; disposing closes every handle not taken, so a
/// handle nobody wants is never left open. Not thread-safe.
/// </summary>
/// <remarks>
/// Every handle's kind was checked against the descriptor itself (fstat; for a channel, its seals) when it arrived,
/// so a socket sent as a file never reaches <see cref="TakeFile"/>.
/// </remarks>
public sealed class ReceivedHandles : IDisposable
{
    private readonly SafeFileHandle?[] _handles;
    private readonly HandleKind[] _kinds;
    private readonly string _channel;

    internal ReceivedHandles(SafeFileHandle[] handles, HandleKind[] kinds, string channel)
    {
        _handles = handles;
        _kinds = kinds;
        _channel = channel;
    }

    /// <summary>How many handles came.</summary>
    public int Count => _handles.Length;

    /// <summary>The kind of handle <paramref name="index"/>.</summary>
    public HandleKind KindOf(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return _kinds[index];
    }

    /// <summary>Takes file <paramref name="index"/> as a <see cref="FileStream"/> (read, write or both, as it was opened).</summary>
    /// <exception cref="HandleTransferException">Handle <paramref name="index"/> is not a <see cref="HandleKind.File"/>.</exception>
    /// <exception cref="InvalidOperationException">It was taken already.</exception>
    public FileStream TakeFile(int index)
    {
        SafeFileHandle handle = TakeFileHandle(index);
        try
        {
            return new FileStream(handle, AccessOf(handle), bufferSize: 0);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Takes file <paramref name="index"/> as a <see cref="SafeFileHandle"/>.</summary>
    /// <inheritdoc cref="TakeFile"/>
    public SafeFileHandle TakeFileHandle(int index) => Take(index, HandleKind.File);

    /// <summary>Takes socket <paramref name="index"/> as a <see cref="Socket"/>.</summary>
    /// <exception cref="HandleTransferException">Handle <paramref name="index"/> is not a <see cref="HandleKind.Socket"/>.</exception>
    /// <exception cref="InvalidOperationException">It was taken already.</exception>
    public Socket TakeSocket(int index)
    {
        var socket = new SafeSocketHandle(Release(Take(index, HandleKind.Socket)), ownsHandle: true);
        try
        {
            return new Socket(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Takes pipe end <paramref name="index"/> as an <see cref="AnonymousPipeClientStream"/>, reading or writing as the
    /// end was opened.
    /// </summary>
    /// <exception cref="HandleTransferException">Handle <paramref name="index"/> is not a <see cref="HandleKind.Pipe"/>.</exception>
    /// <exception cref="InvalidOperationException">It was taken already.</exception>
    public AnonymousPipeClientStream TakePipe(int index)
    {
        SafeFileHandle taken = Take(index, HandleKind.Pipe);
        PipeDirection direction = DescriptorKind.AccessMode((int)taken.DangerousGetHandle()) == LibC.O_WRONLY ? PipeDirection.Out : PipeDirection.In;
        var pipe = new SafePipeHandle(Release(taken), ownsHandle: true);
        try
        {
            return new AnonymousPipeClientStream(direction, pipe);
        }
        catch
        {
            pipe.Dispose();
            throw;
        }
    }

    /// <summary>Takes channel <paramref name="index"/> and opens it as its reader (on a broadcast channel, a subscriber).</summary>
    /// <exception cref="HandleTransferException">Handle <paramref name="index"/> is not a <see cref="HandleKind.Channel"/>.</exception>
    /// <exception cref="InvalidOperationException">It was taken already.</exception>
    /// <exception cref="ChannelFormatException">The segment is not a valid channel.</exception>
    /// <exception cref="ChannelSchemaMismatchException">The channel carries typed messages.</exception>
    /// <exception cref="ChannelRoleTakenException">The channel already has its live reader.</exception>
    public SharedChannelReader TakeChannelReader(int index, SharedChannelOptions? options = null) =>
        OpenChannel(index, descriptor => SharedChannel.OpenPassedReader(descriptor, NameOf(descriptor), options, schema: null));

    /// <summary>Takes channel <paramref name="index"/> and opens it as a writer.</summary>
    /// <inheritdoc cref="TakeChannelReader"/>
    public SharedChannelWriter TakeChannelWriter(int index, SharedChannelOptions? options = null) =>
        OpenChannel(index, descriptor => SharedChannel.OpenPassedWriter(descriptor, NameOf(descriptor), options, schema: null));

    /// <summary>Takes channel <paramref name="index"/>, a channel of <typeparamref name="T"/> messages, and opens it as its reader.</summary>
    /// <inheritdoc cref="TakeChannelReader"/>
    public SharedChannelReader<T> TakeChannelReader<T>(int index, SharedChannelOptions? options = null) where T : unmanaged, IChannelMessage<T> =>
        new(OpenChannel(index, descriptor => SharedChannel.OpenPassedReader(descriptor, NameOf(descriptor), options, T.Layout)));

    /// <summary>Takes channel <paramref name="index"/>, a channel of <typeparamref name="T"/> messages, and opens it as a writer.</summary>
    /// <inheritdoc cref="TakeChannelReader"/>
    public SharedChannelWriter<T> TakeChannelWriter<T>(int index, SharedChannelOptions? options = null) where T : unmanaged, IChannelMessage<T> =>
        new(OpenChannel(index, descriptor => SharedChannel.OpenPassedWriter(descriptor, NameOf(descriptor), options, T.Layout)));

    /// <summary>Closes every handle not taken.</summary>
    public void Dispose()
    {
        for (int i = 0; i < _handles.Length; i++)
        {
            _handles[i]?.Dispose();
            _handles[i] = null;
        }
    }

    // The received descriptor is the sender's open file description; the endpoint gets one of its own (its locks must
    // not be shared with, or kept alive by, anyone else), and the received one is closed whatever happens.
    private TEndpoint OpenChannel<TEndpoint>(int index, Func<int, TEndpoint> open)
    {
        using SafeFileHandle received = Take(index, HandleKind.Channel);
        return open((int)received.DangerousGetHandle());
    }

    private SafeFileHandle Take(int index, HandleKind kind)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        SafeFileHandle handle = _handles[index] ?? throw new InvalidOperationException($"Handle {index} of this batch was already taken (or the batch disposed).");
        if (_kinds[index] != kind)
        {
            throw new HandleTransferException($"Channel '{_channel}': handle {index} of the batch is a {_kinds[index]}, not a {kind}. It stays in the batch (closed when the batch is disposed).");
        }

        _handles[index] = null;
        return handle;
    }

    // Hands the descriptor over to another owner: this SafeHandle will not close it.
    private static nint Release(SafeFileHandle handle)
    {
        nint descriptor = handle.DangerousGetHandle();
        handle.SetHandleAsInvalid();
        return descriptor;
    }

    private static FileAccess AccessOf(SafeFileHandle handle) => DescriptorKind.AccessMode((int)handle.DangerousGetHandle()) switch
    {
        LibC.O_WRONLY => FileAccess.Write,
        LibC.O_RDWR => FileAccess.ReadWrite,
        _ => FileAccess.Read,
    };

    // A memfd's link in /proc reads "/memfd:neobuffer.NAME (deleted)", from the name its creator gave memfd_create.
    private unsafe string NameOf(int descriptor)
    {
        byte* buffer = stackalloc byte[512];
        nint length = LibC.ReadLink($"/proc/self/fd/{descriptor}", buffer, 512);
        string link = length > 0 ? Encoding.UTF8.GetString(buffer, (int)length) : string.Empty;
        const string prefix = "/memfd:neobuffer.", suffix = " (deleted)";
        if (link.StartsWith(prefix, StringComparison.Ordinal) && link.EndsWith(suffix, StringComparison.Ordinal))
        {
            return link[prefix.Length..^suffix.Length];
        }

        throw new HandleTransferException($"Channel '{_channel}': a channel handle came that is not a NeoBuffer segment (its memfd is '{link}').");
    }
}
