using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NeoBuffer;

/// <summary>
/// Reads and writes the fields of a message record at fixed offsets. The generated <c>View</c> and <c>Builder</c> of
/// every <see cref="ChannelMessageAttribute">[ChannelMessage]</see> call these; they are public only for that code.
/// </summary>
/// <remarks>
/// Offsets passed here are the generator's compile-time constants and lie inside the fixed block, whose length the
/// view or builder checked once when it was created; so reads need no bounds check of their own. Records start 8-byte
/// aligned, but a message may need 16 (<see cref="Int128"/>): every access is unaligned-safe.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class MessageBytes
{
    /// <summary>Reads a fixed field.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Read<T>(ReadOnlySpan<byte> record, int offset) where T : unmanaged =>
        Unsafe.ReadUnaligned<T>(ref Unsafe.Add(ref MemoryMarshal.GetReference(record), offset));

    /// <summary>Reads a <see cref="bool"/> field as its byte being non-zero, whatever byte a peer wrote.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool ReadBool(ReadOnlySpan<byte> record, int offset) =>
        Unsafe.Add(ref MemoryMarshal.GetReference(record), offset) != 0;

    /// <summary>Writes a fixed field.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write<T>(Span<byte> record, int offset, T value) where T : unmanaged =>
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref MemoryMarshal.GetReference(record), offset), value);

    /// <summary>The elements of a fixed array field, read-only.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ReadOnlySpan<T> FixedArray<T>(ReadOnlySpan<byte> record, int offset, int count) where T : unmanaged =>
        MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, T>(ref Unsafe.Add(ref MemoryMarshal.GetReference(record), offset)), count);

    /// <summary>The elements of a fixed array field, writable.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Span<T> FixedArray<T>(Span<byte> record, int offset, int count) where T : unmanaged =>
        MemoryMarshal.CreateSpan(ref Unsafe.As<byte, T>(ref Unsafe.Add(ref MemoryMarshal.GetReference(record), offset)), count);

    /// <summary>
    /// The elements a variable-length field's descriptor points at, after <see cref="MessageBounds.Slice"/> has checked
    /// it against the record.
    /// </summary>
    /// <exception cref="MessageFormatException">The descriptor does not lie inside the record's tail.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ReadOnlySpan<T> Variable<T>(ReadOnlySpan<byte> record, int fixedSize, int descriptorOffset, int elementAlignment, string fieldName)
        where T : unmanaged =>
        MemoryMarshal.Cast<byte, T>(MessageBounds.Slice(record, Read<VarFieldDescriptor>(record, descriptorOffset), fixedSize, Unsafe.SizeOf<T>(), elementAlignment, fieldName));

    /// <summary>
    /// Adds the bytes of one variable-length field to a record length being computed: <paramref name="count"/>
    /// elements of <paramref name="elementSize"/> bytes at the next multiple of <paramref name="alignment"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public static void Reserve(ref long length, int count, int elementSize, int alignment, string parameterName)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count, parameterName);
        length = AlignUp(length, alignment) + (long)count * elementSize;
    }

    /// <summary>The record length <see cref="Reserve"/> added up, as an <see cref="int"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The message would exceed 2 GiB.</exception>
    public static int ToLength(long length)
    {
        if (length > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "The message's variable-length fields add up to more than 2 GiB.");
        }

        return (int)length;
    }

    /// <summary>Checks that a builder's record is long enough for the message it is about to lay out.</summary>
    /// <exception cref="ArgumentException"><paramref name="record"/> is shorter than <paramref name="length"/>.</exception>
    public static void CheckRecord(Span<byte> record, int length)
    {
        if (record.Length < length)
        {
            throw new ArgumentException($"The record has {record.Length} bytes; the message needs {length}.", nameof(record));
        }
    }

    /// <summary>
    /// Places one variable-length field in the record's tail, as <see cref="Reserve"/> counted it: writes its
    /// descriptor in the fixed block and returns its bytes.
    /// </summary>
    /// <remarks>The caller checked the record against the total <see cref="Reserve"/> computed, so nothing here can overflow.</remarks>
    public static Span<byte> Place(Span<byte> record, int descriptorOffset, scoped ref int cursor, int count, int elementSize, int alignment)
    {
        int start = (int)AlignUp(cursor, alignment);
        int length = count * elementSize;
        Write(record, descriptorOffset, new VarFieldDescriptor((uint)start, (uint)length));
        cursor = start + length;
        return record.Slice(start, length);
    }

    private static long AlignUp(long value, int alignment) => (value + alignment - 1) / alignment * alignment;
}
