using System;
using System.IO;
using System.IO.Pipes;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using NeoBuffer.Segments;

namespace NeoBuffer;

/// <summary>
/// One handle to send with a message (<see cref="HandleSender"/>): an open file, a socket, an anonymous pipe end, or a
/// private channel. It converts implicitly from <see cref="FileStream"/>, <see cref="Socket"/>, <see cref="PipeStream"/>,
/// <see cref="SharedChannelWriter"/> and <see cref="SharedChannelReader"/>, so <c>sender.Send([file, socket], timeout)</c>
/// works. The receiver gets its own descriptor of the same open file; the sender's object stays open and usable.
/// </summary>
public readonly struct PassedHandle
{
    private readonly SafeHandle? _handle;
    private readonly SharedSegment? _channel;
    private readonly Func<bool>? _channelDisposed;

    private PassedHandle(HandleKind kind, SafeHandle? handle, SharedSegment? channel, Func<bool>? channelDisposed)
    {
        Kind = kind;
        _handle = handle;
        _channel = channel;
        _channelDisposed = channelDisposed;
    }

    /// <summary>What the handle is.</summary>
    public HandleKind Kind { get; }

    /// <summary>An open regular file.</summary>
    /// <exception cref="ArgumentException">The handle is closed or invalid.</exception>
    public static PassedHandle File(SafeFileHandle handle) => Of(HandleKind.File, handle, nameof(handle));

    /// <summary>The file a <see cref="FileStream"/> has open (flush what it buffers first: only the descriptor travels).</summary>
    public static PassedHandle File(FileStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return File(stream.SafeFileHandle);
    }

    /// <summary>A socket (any family or type: a connected TCP stream, a listening socket, a Unix socket, ...).</summary>
    public static PassedHandle Socket(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        return Of(HandleKind.Socket, socket.SafeHandle, nameof(socket));
    }

    /// <summary>One end of an anonymous pipe (for example <see cref="AnonymousPipeServerStream.ClientSafePipeHandle"/>).</summary>
    public static PassedHandle Pipe(SafePipeHandle handle) => Of(HandleKind.Pipe, handle, nameof(handle));

    /// <summary>The pipe end a <see cref="PipeStream"/> has open.</summary>
    public static PassedHandle Pipe(PipeStream pipe)
    {
        ArgumentNullException.ThrowIfNull(pipe);
        return Pipe(pipe.SafePipeHandle);
    }

    /// <summary>
    /// The channel <paramref name="endpoint"/> is attached to, for the receiver to open as a reader or a writer. The
    /// channel must be a private one (<see cref="SharedChannel.CreatePrivateWriter"/>) or a sealed one: a channel in a
    /// directory is shared by its name instead.
    /// </summary>
    /// <exception cref="ArgumentException">The channel is not in a sealed memfd.</exception>
    public static PassedHandle Channel(SharedChannelWriter endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return OfChannel(endpoint.Segment, () => endpoint.IsDisposed, nameof(endpoint));
    }

    /// <inheritdoc cref="Channel(SharedChannelWriter)"/>
    public static PassedHandle Channel(SharedChannelReader endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return OfChannel(endpoint.Segment, () => endpoint.IsDisposed, nameof(endpoint));
    }

    /// <summary>See <see cref="File(FileStream)"/>.</summary>
    public static implicit operator PassedHandle(FileStream stream) => File(stream);

    /// <summary>See <see cref="Socket(System.Net.Sockets.Socket)"/>.</summary>
    public static implicit operator PassedHandle(Socket socket) => Socket(socket);

    /// <summary>See <see cref="Pipe(PipeStream)"/>.</summary>
    public static implicit operator PassedHandle(PipeStream pipe) => Pipe(pipe);

    /// <summary>See <see cref="Channel(SharedChannelWriter)"/>.</summary>
    public static implicit operator PassedHandle(SharedChannelWriter endpoint) => Channel(endpoint);

    /// <summary>See <see cref="Channel(SharedChannelReader)"/>.</summary>
    public static implicit operator PassedHandle(SharedChannelReader endpoint) => Channel(endpoint);

    /// <summary>
    /// The descriptor to attach, held open until <see cref="Release"/>: a SafeHandle is add-ref'd (so a concurrent
    /// close cannot let its number be reused for another file while it is being sent); a channel gets a new open file
    /// description of its memfd, so the receiver shares none of this process's locks.
    /// </summary>
    internal int Acquire()
    {
        if (_channel is not null)
        {
            ObjectDisposedException.ThrowIf(_channelDisposed!(), typeof(PassedHandle));
            return _channel.OpenPrivateDescriptor();
        }

        if (_handle is null)
        {
            throw new ArgumentException("A default PassedHandle holds no handle: make one with PassedHandle.File, Socket, Pipe or Channel.");
        }

        bool added = false;
        _handle.DangerousAddRef(ref added);
        return (int)_handle.DangerousGetHandle();
    }

    /// <summary>Undoes <see cref="Acquire"/> once the descriptor has been sent (or the send failed).</summary>
    internal void Release(int descriptor)
    {
        if (_channel is not null)
        {
            Interop.LibC.Close(descriptor);
        }
        else
        {
            _handle?.DangerousRelease();
        }
    }

    private static PassedHandle Of(HandleKind kind, SafeHandle handle, string parameter)
    {
        ArgumentNullException.ThrowIfNull(handle, parameter);
        if (handle.IsInvalid || handle.IsClosed)
        {
            throw new ArgumentException($"The {kind} handle to pass is closed or invalid.", parameter);
        }

        return new PassedHandle(kind, handle, null, null);
    }

    private static PassedHandle OfChannel(SharedSegment segment, Func<bool> disposed, string parameter)
    {
        ObjectDisposedException.ThrowIf(disposed(), typeof(SharedChannel));
        if (!segment.IsSealed)
        {
            throw new ArgumentException(
                $"Channel '{segment.Name}' is a file in a directory ('{segment.Path}'): pass its name instead. Only a private or sealed channel (a sealed memfd) can be passed as a handle.",
                parameter);
        }

        return new PassedHandle(HandleKind.Channel, null, segment, disposed);
    }
}
