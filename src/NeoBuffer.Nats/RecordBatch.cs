using System;
using System.Buffers;
using System.Buffers.Binary;

namespace NeoBuffer.Nats;

/// <summary>
/// The body of a batch message (docs/nats.md, "Wire format"): records that were waiting in the ring together, each
/// framed as its length (32-bit little-endian), four zero bytes, then the record's bytes exactly, padded with zeros to a
/// multiple of 8 so the next record keeps its alignment. The outbound bridge gathers into one of these; the inbound
/// bridge splits one with <see cref="TrySplit"/>.
/// <para>
/// Why: at 64 B a NATS message costs the client, the server and the receiving client about a microsecond each, far
/// more than a record costs in the ring. Records the local writer committed while the previous publish was under way
/// leave in one message instead of hundreds; a record that finds nothing waiting behind it still leaves alone, at once,
/// so batching adds no wait.
/// </para>
/// </summary>
internal sealed class RecordBatch : IDisposable
{
    /// <summary>Bytes before each record: its length, then four zero bytes.</summary>
    public const int FrameSize = 8;

    private readonly int _capacity;
    private byte[]? _buffer;
    private int _length = Envelope.Size;

    /// <param name="capacity">The most body bytes one batch carries (frames and padding included).</param>
    public RecordBatch(int capacity)
    {
        _capacity = capacity;
        _buffer = capacity > 0 ? ArrayPool<byte>.Shared.Rent(Envelope.Size + capacity) : null;
    }

    /// <summary>Records gathered since the last <see cref="Clear"/>.</summary>
    public int Count { get; private set; }

    /// <summary>The record bytes gathered (frames and padding not counted).</summary>
    public long RecordBytes { get; private set; }

    /// <summary>The first record gathered (of a batch of one, the only one).</summary>
    public ReadOnlyMemory<byte> First => _buffer.AsMemory(Envelope.Size + FrameSize, BinaryPrimitives.ReadInt32LittleEndian(_buffer.AsSpan(Envelope.Size)));

    /// <summary>
    /// The whole message, <paramref name="envelope"/> written in front of the records: one contiguous payload, which
    /// the NATS client copies into its write buffer in one go.
    /// </summary>
    public ReadOnlyMemory<byte> MessageWith(Envelope envelope)
    {
        envelope.WriteTo(_buffer);
        return _buffer.AsMemory(0, _length);
    }

    /// <summary>
    /// Whether a record of <paramref name="length"/> bytes is one to gather at all: a quarter of the batch at most, so a
    /// batch never ends up holding one large record it had to copy for nothing; a larger one is published alone, from
    /// the ring, with no copy.
    /// </summary>
    public bool Gathers(int length) => FootprintOf(length) <= _capacity / 4;

    /// <summary>Whether any record that <see cref="Gathers"/> would still fit.</summary>
    public bool HasRoomForAnyGathered => _capacity - (_length - Envelope.Size) >= _capacity / 4;

    /// <summary>Appends <paramref name="record"/>; false (nothing appended) when it does not fit.</summary>
    public bool TryAdd(ReadOnlySpan<byte> record)
    {
        int footprint = FootprintOf(record.Length);
        if (_buffer is null || footprint > _capacity - (_length - Envelope.Size))
        {
            return false;
        }

        Span<byte> frame = _buffer.AsSpan(_length, footprint);
        BinaryPrimitives.WriteInt32LittleEndian(frame, record.Length);
        BinaryPrimitives.WriteInt32LittleEndian(frame[4..], 0);
        record.CopyTo(frame[FrameSize..]);
        frame[(FrameSize + record.Length)..].Clear();
        _length += footprint;
        Count++;
        RecordBytes += record.Length;
        return true;
    }

    /// <summary>Empties the batch for the next gathering.</summary>
    public void Clear()
    {
        _length = Envelope.Size;
        Count = 0;
        RecordBytes = 0;
    }

    public void Dispose()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }

    /// <summary>
    /// Splits a batch body of <paramref name="count"/> records into <paramref name="records"/> (grown as needed, reused
    /// from call to call). Null when the body is exactly that many well-framed records; else what is wrong with it, and
    /// nothing of it may be written: a frame that runs past the end, a non-zero reserved word or padding, bytes left
    /// over, or a count that does not match.
    /// </summary>
    public static string? TrySplit(ReadOnlyMemory<byte> body, int count, ref ReadOnlyMemory<byte>[] records)
    {
        // Every record takes at least a frame: a count the body cannot hold is refused before anything is allocated.
        if (count < 1 || count > body.Length / FrameSize)
        {
            return $"the batch says it carries {count} records in {body.Length} bytes";
        }

        if (records.Length < count)
        {
            records = new ReadOnlyMemory<byte>[Math.Max(count, records.Length * 2)];
        }

        ReadOnlySpan<byte> span = body.Span;
        int offset = 0;
        for (int i = 0; i < count; i++)
        {
            if (span.Length - offset < FrameSize)
            {
                return $"record {i + 1} of {count} has no frame: the batch ends after {offset} bytes";
            }

            int length = BinaryPrimitives.ReadInt32LittleEndian(span[offset..]);
            if (BinaryPrimitives.ReadInt32LittleEndian(span[(offset + 4)..]) != 0)
            {
                return $"record {i + 1} of {count} has a non-zero reserved word in its frame";
            }

            if (length < 0 || length > span.Length - offset - FrameSize)
            {
                return $"record {i + 1} of {count} says it has {length} bytes, more than the {span.Length - offset - FrameSize} left in the batch";
            }

            int footprint = FootprintOf(length);
            if (footprint > span.Length - offset)
            {
                return $"record {i + 1} of {count} lacks the padding that ends its frame";
            }

            if (span.Slice(offset + FrameSize + length, footprint - FrameSize - length).IndexOfAnyExcept((byte)0) >= 0)
            {
                return $"record {i + 1} of {count} has non-zero padding";
            }

            records[i] = body.Slice(offset + FrameSize, length);
            offset += footprint;
        }

        return offset == span.Length ? null : $"{span.Length - offset} bytes follow the batch's {count} records";
    }

    private static int FootprintOf(int length) => FrameSize + ((length + 7) & ~7);
}
