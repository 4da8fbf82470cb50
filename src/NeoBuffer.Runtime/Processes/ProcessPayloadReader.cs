using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using NeoBuffer.Interop;

namespace NeoBuffer;

/// <summary>
/// Decodes what a <see cref="ProcessPayloadWriter"/> wrote, in the same order. Endpoints and files it opens for the
/// child belong to the call: the child disposes them when the function has returned.
/// </summary>
/// <remarks>
/// Both ends are the same executable, but the bytes still came through shared memory: every length is checked against
/// what is left, so a damaged record ends in <see cref="ChannelCorruptedException"/> rather than a wild read.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ProcessPayloadReader : IDisposable
{
    private readonly byte[] _bytes;
    private readonly List<IDisposable> _opened = new();
    private int _position;

    /// <summary>Reads <paramref name="bytes"/> (not copied).</summary>
    public ProcessPayloadReader(byte[] bytes) => _bytes = bytes;

    /// <summary>Reads an unmanaged value.</summary>
    public T ReadValue<T>() where T : unmanaged => MemoryMarshal.Read<T>(Take(Unsafe.SizeOf<T>()));

    /// <summary>Reads a string (or null).</summary>
    public string? ReadNullableString()
    {
        int length = ReadValue<int>();
        return length == -1 ? null : Encoding.UTF8.GetString(Take(length));
    }

    /// <summary>Reads a string the writer wrote non-null.</summary>
    public string ReadString() => ReadNullableString() ?? throw Corrupted("a null string where the function's code never writes one");

    /// <summary>Reads a message record into a copy the caller owns.</summary>
    public OwnedMessage<T> ReadMessage<T>() where T : unmanaged, IChannelMessage<T> =>
        new(Take(ReadValue<int>()).ToArray());

    /// <summary>Opens the reader of the channel the parent passed (by its writer).</summary>
    public SharedChannelReader ReadChannelReader() => Open(SharedChannel.OpenReader(ReadString(), Options()));

    /// <summary>Opens a writer to the channel the parent passed (by its reader).</summary>
    public SharedChannelWriter ReadChannelWriter() => Open(SharedChannel.OpenWriter(ReadString(), Options()));

    /// <summary>Opens the typed reader of the channel the parent passed (by its writer).</summary>
    public SharedChannelReader<T> ReadChannelReader<T>() where T : unmanaged, IChannelMessage<T> =>
        Open(SharedChannel.OpenReader<T>(ReadString(), Options()));

    /// <summary>Opens a typed writer to the channel the parent passed (by its reader).</summary>
    public SharedChannelWriter<T> ReadChannelWriter<T>() where T : unmanaged, IChannelMessage<T> =>
        Open(SharedChannel.OpenWriter<T>(ReadString(), Options()));

    /// <summary>Opens the other end of the duplex channel the parent passed (its own end).</summary>
    public SharedDuplexChannel ReadDuplex() => Open(SharedChannel.OpenDuplex(ReadString(), Options()));

    /// <summary>Opens the other end of the typed duplex channel the parent passed: the parent's reads are this end's writes.</summary>
    public SharedDuplexChannel<TWrite, TRead> ReadDuplex<TWrite, TRead>()
        where TWrite : unmanaged, IChannelMessage<TWrite>
        where TRead : unmanaged, IChannelMessage<TRead> =>
        Open(SharedChannel.OpenDuplex<TWrite, TRead>(ReadString(), Options()));

    /// <summary>Takes the file descriptor the child inherited, closed on exec again so that its own children do not.</summary>
    public SafeFileHandle ReadFile()
    {
        int fd = ReadValue<int>();
        if (LibC.FcntlInt(fd, LibC.F_SETFD, LibC.FD_CLOEXEC) < 0)
        {
            throw new System.IO.IOException($"The file descriptor {fd} the parent passed is not open in the child: {Marshal.GetLastPInvokeErrorMessage()}.");
        }

        return Open(new SafeFileHandle(fd, ownsHandle: true));
    }

    /// <summary>Disposes every endpoint and file this reader opened, last first.</summary>
    public void Dispose()
    {
        for (int i = _opened.Count - 1; i >= 0; i--)
        {
            _opened[i].Dispose();
        }

        _opened.Clear();
    }

    internal ReadOnlySpan<byte> ReadBytes() => Take(ReadValue<int>());

    private SharedChannelOptions Options() => new() { Directory = ReadString() };

    private T Open<T>(T opened) where T : IDisposable
    {
        _opened.Add(opened);
        return opened;
    }

    private ReadOnlySpan<byte> Take(int length)
    {
        if (length < 0 || length > _bytes.Length - _position)
        {
            throw Corrupted($"{length} bytes wanted at offset {_position} of {_bytes.Length}");
        }

        ReadOnlySpan<byte> span = _bytes.AsSpan(_position, length);
        _position += length;
        return span;
    }

    private static ChannelCorruptedException Corrupted(string what) =>
        new($"A process function's arguments or result record is damaged ({what}); both ends run the same code, so something else wrote into its channel.");
}
