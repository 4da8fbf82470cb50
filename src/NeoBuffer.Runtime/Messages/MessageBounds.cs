using System;
using System.Runtime.CompilerServices;

namespace NeoBuffer;

/// <summary>
/// Turns a variable-length field descriptor read from shared memory into a span, after checking it against the record
/// it came from. Generated views call this for every var field: a peer may have written anything into the descriptor.
/// </summary>
public static class MessageBounds
{
    /// <summary>
    /// Returns the bytes <paramref name="descriptor"/> points at inside <paramref name="message"/>, or throws
    /// <see cref="MessageFormatException"/> when they are not wholly inside the message's tail.
    /// </summary>
    /// <param name="message">The whole message record: fixed block followed by its tail.</param>
    /// <param name="descriptor">The descriptor as read from the fixed block.</param>
    /// <param name="fixedSize">Size of the fixed block: var bytes may not overlap it.</param>
    /// <param name="elementSize">Size of one element; the length must be a multiple of it.</param>
    /// <param name="elementAlignment">Alignment of one element; the offset must be a multiple of it.</param>
    /// <param name="fieldName">The field's name, for the error message.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> message, VarFieldDescriptor descriptor, int fixedSize, int elementSize, int elementAlignment, string fieldName)
    {
        uint offset = descriptor.Offset;
        uint length = descriptor.Length;
        if (length == 0)
        {
            return ReadOnlySpan<byte>.Empty;
        }

        // 64-bit sum: two 32-bit values from a hostile peer cannot overflow it.
        if (offset < (uint)fixedSize || (ulong)offset + length > (ulong)message.Length ||
            offset % (uint)elementAlignment != 0 || length % (uint)elementSize != 0)
        {
            ThrowBadDescriptor(message.Length, descriptor, fixedSize, elementSize, elementAlignment, fieldName);
        }

        return message.Slice((int)offset, (int)length);
    }

    /// <summary>
    /// Checks that <paramref name="record"/> holds at least the fixed block of a message, so that every fixed field can
    /// then be read without a further check. Generated views call this once, when they are created.
    /// </summary>
    /// <exception cref="MessageFormatException">The record is shorter than <paramref name="fixedSize"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CheckFixedBlock(ReadOnlySpan<byte> record, int fixedSize, string messageName)
    {
        if (record.Length < fixedSize)
        {
            ThrowTooShort(record.Length, fixedSize, messageName);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowTooShort(int length, int fixedSize, string messageName) =>
        throw new MessageFormatException(
            $"A '{messageName}' record needs at least its {fixedSize}-byte fixed block, but this one has {length} bytes. " +
            "The record is malformed, or the channel carries another message type.");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowBadDescriptor(int messageLength, VarFieldDescriptor descriptor, int fixedSize, int elementSize, int elementAlignment, string fieldName) =>
        throw new MessageFormatException(
            $"Variable-length field '{fieldName}' has descriptor (offset {descriptor.Offset}, length {descriptor.Length}) that does not lie inside " +
            $"the message tail [{fixedSize}, {messageLength}) with offset aligned to {elementAlignment} and length a multiple of {elementSize}. " +
            "The record is malformed: the peer that wrote it is faulty or hostile.");
}
