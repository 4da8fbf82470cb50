using System;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace NeoBuffer;

/// <summary>
/// What a message carries to refer to the handles sent with it: the sending connection, the batch's number on it and
/// how many handles it holds (docs/format.md, "Handle passing"). <see cref="HandleSender.Send(ReadOnlySpan{PassedHandle}, TimeSpan, System.Threading.CancellationToken)"/>
/// returns one; put it in the message (<see cref="Write"/>, or a <see cref="UInt128"/> field of a
/// <c>[ChannelMessage]</c>), and the reader gives it to <see cref="HandleReceiver.Receive(HandleBatch, TimeSpan, System.Threading.CancellationToken)"/>.
/// </summary>
/// <remarks>
/// It is 16 bytes, little-endian: the connection token (8), the sequence (4), the count (4). A message may carry any
/// value here: the receiver believes none of it until the socket has delivered the batch it names.
/// </remarks>
[StructLayout(LayoutKind.Sequential)]
public readonly struct HandleBatch : IEquatable<HandleBatch>
{
    /// <summary>Its size in a message, in bytes.</summary>
    public const int Size = 16;

    /// <summary>The most handles one batch can carry.</summary>
    public const int MaxHandles = 16;

    /// <summary>Creates a batch reference from its parts (as read from a message).</summary>
    public HandleBatch(ulong connection, uint sequence, int count)
    {
        Connection = connection;
        Sequence = sequence;
        Count = count;
    }

    /// <summary>No handles: what <see cref="HandleSender"/> returns for an empty list, and what a message without handles carries.</summary>
    public static HandleBatch None => default;

    /// <summary>The token the sending connection announced when it connected (never 0 for a real batch).</summary>
    public ulong Connection { get; }

    /// <summary>The batch's number on its connection: 1, 2, 3, ... in the order they were sent.</summary>
    public uint Sequence { get; }

    /// <summary>How many handles the batch holds (0 for <see cref="None"/>).</summary>
    public int Count { get; }

    /// <summary>Whether this refers to no handles.</summary>
    public bool IsNone => Connection == 0 && Sequence == 0 && Count == 0;

    /// <summary>Reads a batch reference from the first <see cref="Size"/> bytes of <paramref name="source"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="source"/> is shorter than <see cref="Size"/>.</exception>
    public static HandleBatch Read(ReadOnlySpan<byte> source)
    {
        if (source.Length < Size)
        {
            throw new ArgumentException($"A handle batch reference is {Size} bytes; the span has {source.Length}.", nameof(source));
        }

        return new HandleBatch(
            BinaryPrimitives.ReadUInt64LittleEndian(source),
            BinaryPrimitives.ReadUInt32LittleEndian(source[8..]),
            BinaryPrimitives.ReadInt32LittleEndian(source[12..]));
    }

    /// <summary>Writes this reference into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="Size"/>.</exception>
    public void Write(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            throw new ArgumentException($"A handle batch reference is {Size} bytes; the span has {destination.Length}.", nameof(destination));
        }

        BinaryPrimitives.WriteUInt64LittleEndian(destination, Connection);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], Sequence);
        BinaryPrimitives.WriteInt32LittleEndian(destination[12..], Count);
    }

    /// <summary>The reference as one 128-bit value, for a <see cref="UInt128"/> field of a typed message.</summary>
    public static explicit operator UInt128(HandleBatch batch) =>
        new(batch.Connection, ((ulong)(uint)batch.Count << 32) | batch.Sequence);

    /// <summary>The reference a <see cref="UInt128"/> field of a typed message holds.</summary>
    public static explicit operator HandleBatch(UInt128 value) =>
        new((ulong)(value >> 64), (uint)(ulong)value, (int)(uint)((ulong)value >> 32));

    /// <inheritdoc/>
    public bool Equals(HandleBatch other) => Connection == other.Connection && Sequence == other.Sequence && Count == other.Count;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is HandleBatch other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Connection, Sequence, Count);

    /// <summary>Whether two references are the same.</summary>
    public static bool operator ==(HandleBatch left, HandleBatch right) => left.Equals(right);

    /// <summary>Whether two references differ.</summary>
    public static bool operator !=(HandleBatch left, HandleBatch right) => !left.Equals(right);

    /// <inheritdoc/>
    public override string ToString() => IsNone ? "no handles" : $"batch {Sequence} of connection 0x{Connection:X16} ({Count} handles)";
}
