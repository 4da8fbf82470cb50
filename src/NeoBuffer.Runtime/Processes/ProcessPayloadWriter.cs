using System;
using System.Buffers;
using System.Collections.Generic;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using NeoBuffer.Interop;

namespace NeoBuffer;

/// <summary>
/// Encodes a process function's arguments (in the parent) or its result (in the child) into the one record that
/// crosses through a channel. Generated code calls it; its layout is private to one executable, which is both ends.
/// </summary>
/// <remarks>
/// Each value is written in order, with no tags: both ends are the same compiled code, so the reader knows each type.
/// Unmanaged values are their bytes; strings a length (-1 for null) and UTF-8; messages a length and the record;
/// channel endpoints the channel's name and directory; file handles the number of a descriptor the child inherits.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ProcessPayloadWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private List<int>? _inherited;

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    /// <summary>Descriptors duplicated for the child to inherit: the parent closes them once the child has started.</summary>
    internal IReadOnlyList<int> InheritedDescriptors => (IReadOnlyList<int>?)_inherited ?? Array.Empty<int>();

    /// <summary>Writes an unmanaged value as its bytes.</summary>
    public void WriteValue<T>(T value) where T : unmanaged
    {
        Span<byte> span = _buffer.GetSpan(Unsafe.SizeOf<T>());
        MemoryMarshal.Write(span, in value);
        _buffer.Advance(Unsafe.SizeOf<T>());
    }

    /// <summary>Writes a string (null included) as its UTF-8 length and bytes.</summary>
    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteValue(-1);
            return;
        }

        int length = Encoding.UTF8.GetByteCount(value);
        WriteValue(length);
        _buffer.Advance(Encoding.UTF8.GetBytes(value, _buffer.GetSpan(length)));
    }

    /// <summary>Writes a message record as its length and bytes.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is null.</exception>
    public void WriteMessage<T>(OwnedMessage<T> message) where T : unmanaged, IChannelMessage<T>
    {
        ArgumentNullException.ThrowIfNull(message);
        WriteBytes(message.Record);
    }

    /// <summary>Writes the channel of <paramref name="writer"/>, whose reader the child opens.</summary>
    public void WriteChannel(SharedChannelWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        WriteString(writer.Name);
        WriteString(writer.SegmentDirectory);
    }

    /// <summary>Writes the channel of <paramref name="reader"/>, to which the child opens a writer.</summary>
    public void WriteChannel(SharedChannelReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        WriteString(reader.Name);
        WriteString(reader.SegmentDirectory);
    }

    /// <summary>Writes the channel of <paramref name="writer"/>, whose reader the child opens.</summary>
    public void WriteChannel<T>(SharedChannelWriter<T> writer) where T : unmanaged, IChannelMessage<T>
    {
        ArgumentNullException.ThrowIfNull(writer);
        WriteChannel(writer.Untyped);
    }

    /// <summary>Writes the channel of <paramref name="reader"/>, to which the child opens a writer.</summary>
    public void WriteChannel<T>(SharedChannelReader<T> reader) where T : unmanaged, IChannelMessage<T>
    {
        ArgumentNullException.ThrowIfNull(reader);
        WriteChannel(reader.Untyped);
    }

    /// <summary>Writes the duplex channel of <paramref name="channel"/>, whose other end the child opens.</summary>
    public void WriteDuplex(SharedDuplexChannel channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        WriteString(channel.Name);
        WriteString(channel.Writer.SegmentDirectory);
    }

    /// <summary>Writes the typed duplex channel of <paramref name="channel"/>, whose other end the child opens.</summary>
    public void WriteDuplex<TWrite, TRead>(SharedDuplexChannel<TWrite, TRead> channel)
        where TWrite : unmanaged, IChannelMessage<TWrite>
        where TRead : unmanaged, IChannelMessage<TRead>
    {
        ArgumentNullException.ThrowIfNull(channel);
        WriteDuplex(channel.Untyped);
    }

    /// <summary>
    /// Writes a file handle: a duplicate of its descriptor (without close-on-exec, so the child inherits it at the same
    /// number), which the parent closes again once the child has started.
    /// </summary>
    /// <exception cref="ArgumentException">The handle is closed or invalid.</exception>
    public void WriteFile(SafeFileHandle file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (file.IsClosed || file.IsInvalid)
        {
            throw new ArgumentException("The file handle is closed or invalid: a process function needs an open file to pass to its child.", nameof(file));
        }

        int duplicate = LibC.Dup((int)file.DangerousGetHandle());
        if (duplicate < 0)
        {
            throw new System.IO.IOException($"Could not duplicate the file descriptor for the child: {Marshal.GetLastPInvokeErrorMessage()}.");
        }

        (_inherited ??= new List<int>()).Add(duplicate);
        WriteValue(duplicate);
    }

    /// <summary>Closes the duplicates <see cref="WriteFile"/> made (after the child started, or when it could not be).</summary>
    internal void CloseInheritedDescriptors()
    {
        foreach (int fd in InheritedDescriptors)
        {
            LibC.Close(fd);
        }

        _inherited?.Clear();
    }

    internal void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        WriteValue(bytes.Length);
        bytes.CopyTo(_buffer.GetSpan(bytes.Length));
        _buffer.Advance(bytes.Length);
    }
}
