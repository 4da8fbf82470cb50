using System;
using System.Buffers.Binary;
using System.IO;

namespace NeoBuffer.Samples.Tests;

/// <summary>
/// A channel's segment file, read and scribbled on at the offsets docs/format.md documents, the way a faulty or hostile
/// peer with write access to /dev/shm could. pread/pwrite on tmpfs go through the same pages the participants map.
/// </summary>
internal sealed class SegmentFile : IDisposable
{
    public const int TailOffset = 0x100;
    public const int TailVersionOffset = 0x110;
    public const int HeadOffset = 0x180;
    public const int ClaimTailOffset = 0x480;
    public const int ParticipantTableOffset = 0x800;
    public const int ParticipantRowSize = 128;
    public const int RowPositionOffset = 0x40;

    private readonly FileStream _file;

    public SegmentFile(string directory, string channel)
    {
        _file = new FileStream(Path.Combine(directory, "neobuffer." + channel), FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
    }

    public long Capacity => Read64(0x18);

    public long DataOffset => Read64(0x40);

    public long Read64(long offset)
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomAccess.Read(_file.SafeFileHandle, bytes, offset);
        return BinaryPrimitives.ReadInt64LittleEndian(bytes);
    }

    public void Write64(long offset, long value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        RandomAccess.Write(_file.SafeFileHandle, bytes, offset);
    }

    /// <summary>Writes a record header (Length, Type) at ring position <paramref name="position"/>.</summary>
    public void WriteRecordHeader(long position, int length, int type)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, length);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[4..], type);
        RandomAccess.Write(_file.SafeFileHandle, bytes, DataOffset + (position & (Capacity - 1)));
    }

    public long RowPosition(int row) => Read64(ParticipantTableOffset + row * ParticipantRowSize + RowPositionOffset);

    /// <summary>A participant row's State: 0 free, 1 being claimed, 2 active.</summary>
    public int RowState(int row) => (int)Read64(ParticipantTableOffset + row * ParticipantRowSize);

    public void Dispose() => _file.Dispose();
}
