using System;
using System.IO;
using Microsoft.Win32.SafeHandles;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// Reads and writes a channel's segment file as a peer would see it: a write(2) lands in the pages every process has
/// mapped, so a test can build a shared state (a row caught mid-release, an impossible header) without reaching into
/// the library's objects. Offsets are those of docs/format.md.
/// </summary>
internal sealed class SegmentBytes(TestChannel channel)
{
    public const long Tail = 0x100;
    public const long TailSequence = 0x108;
    public const long TailVersion = 0x110;
    public const long TailIntent = 0x400;
    public const long Oldest = 0x500;
    public const long JoinEpoch = 0x580;
    public const long ClaimTail = 0x480;

    private const long DataOffsetField = 0x40;
    private const long ParticipantTable = 0x800;
    private const long RowSize = 128;

    /// <summary>Where row <paramref name="index"/>'s <paramref name="field"/> lies (State 0x00, Mode 0x08, Position 0x40).</summary>
    public static long Row(int index, long field) => ParticipantTable + index * RowSize + field;

    /// <summary>The offset of ring byte 0 in the file.</summary>
    public long Data => ReadLong(DataOffsetField);

    public long ReadLong(long offset)
    {
        Span<byte> bytes = stackalloc byte[8];
        using SafeFileHandle file = File.OpenHandle(channel.SegmentPath, FileMode.Open, FileAccess.Read);
        RandomAccess.Read(file, bytes, offset);
        return BitConverter.ToInt64(bytes);
    }

    /// <summary>Sets the closed bit (62) of the MPSC claim counter alone, as a peer that follows no completion could.</summary>
    public void CloseClaimCounter() => WriteLong(ClaimTail, ReadLong(ClaimTail) | (1L << 62));

    public int ReadInt(long offset) => (int)ReadLong(offset); // little-endian: the low half is the int at offset

    public void WriteLong(long offset, long value) => Write(offset, BitConverter.GetBytes(value));

    public void WriteInt(long offset, int value) => Write(offset, BitConverter.GetBytes(value));

    /// <summary>Writes a record header (length, then type) at ring position <paramref name="ringOffset"/>.</summary>
    public void WriteRecordHeader(long ringOffset, int length, int type) =>
        Write(Data + ringOffset, [.. BitConverter.GetBytes(length), .. BitConverter.GetBytes(type)]);

    public void Write(long offset, byte[] bytes)
    {
        using SafeFileHandle file = File.OpenHandle(channel.SegmentPath, FileMode.Open, FileAccess.ReadWrite);
        RandomAccess.Write(file, bytes, offset);
    }
}
