using System;

namespace NeoBuffer;

/// <summary>
/// One <see cref="ChannelMessageAttribute">[ChannelMessage]</see> record in managed memory rather than in a ring: how
/// a message with variable-length fields is passed to, or returned from, a process function. Read it with the
/// generated view (<c>new M.View(message.Record)</c>); build one with the generated builder over a byte array
/// (<c>new M.Builder(bytes, ...)</c>) or copy one out of a lease with <see cref="CopyOf"/>.
/// </summary>
/// <typeparam name="T">The message type.</typeparam>
public sealed class OwnedMessage<T> where T : unmanaged, IChannelMessage<T>
{
    private readonly byte[] _record;

    /// <summary>Takes <paramref name="record"/> (not copied: do not change it afterwards).</summary>
    /// <exception cref="MessageFormatException">The record is shorter than <typeparamref name="T"/>'s fixed block.</exception>
    public OwnedMessage(byte[] record)
    {
        ArgumentNullException.ThrowIfNull(record);
        MessageBounds.CheckFixedBlock(record, T.Layout.FixedSize, T.Layout.Name);
        _record = record;
    }

    /// <summary>A copy of <paramref name="record"/>, e.g. a lease's payload that must outlive the lease.</summary>
    /// <exception cref="MessageFormatException">The record is shorter than <typeparamref name="T"/>'s fixed block.</exception>
    public static OwnedMessage<T> CopyOf(ReadOnlySpan<byte> record) => new(record.ToArray());

    /// <summary>The whole record: the fixed block, then the tail.</summary>
    public ReadOnlySpan<byte> Record => _record;
}
