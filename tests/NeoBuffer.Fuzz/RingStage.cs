using System;
using NeoBuffer.Format;
using NeoBuffer.Ring;

namespace NeoBuffer.Fuzz;

/// <summary>
/// (b) The input as a ring region, walked as the consumers walk it (SpscRing/MpscRing/BroadcastRing.TryFindNext):
/// one copy of each record header, <see cref="RingMemory.CheckRecord"/> against the region known written, padding
/// skipped, each message payload decoded as a <see cref="FuzzMessage"/> view.
/// <para>Input layout (<see cref="RingInput"/>): byte 0 selects the ring (bit 0 broadcast frame, bit 1 64-byte
/// payload limit); bytes 1-2 the head's ring offset; bytes 3-4 the bytes written past the head; bytes 5-8 the head's
/// lap; then the ring's bytes from the head on, wrapping at the end. The head and tail get the checks the consumers
/// give them (8-aligned, tail - head within the capacity).</para>
/// </summary>
public static unsafe class RingStage
{
    /// <summary>Returns the messages decoded by views, or -1 when the walk met a record the ring rejected.</summary>
    public static int Run(ReadOnlySpan<byte> input)
    {
        if (input.Length < RingInput.ControlSize)
        {
            return 0;
        }

        lock (FuzzRings.Gate)
        {
            RingMemory ring = FuzzRings.Get(input[0]);
            var data = new Span<byte>(ring.Data, (int)ring.Capacity);
            data.Clear();
            long head = RingInput.Head(input, ring.Capacity);
            long tail = head + RingInput.Written(input, ring.Capacity);
            ReadOnlySpan<byte> content = input.Slice(RingInput.ControlSize);
            int offset = (int)(head & ring.Mask);
            int first = Math.Min(content.Length, data.Length - offset);
            content.Slice(0, first).CopyTo(data.Slice(offset));
            content.Slice(first, Math.Min(content.Length - first, offset)).CopyTo(data);
            try
            {
                return Walk(ring, head, tail);
            }
            catch (ChannelCorruptedException)
            {
                return -1;
            }
        }
    }

    private static int Walk(RingMemory ring, long head, long tail)
    {
        long position = head;
        long steps = 0;
        int decoded = 0;
        while (position != tail)
        {
            if (++steps > ring.Capacity / RecordFraming.RecordAlignment)
            {
                throw new FuzzFindingException($"the walk from {head} to {tail} took more steps than the ring has records");
            }

            RecordHeader record = *ring.RecordAt(position);
            long footprint = ring.CheckRecord(position, record, tail, out bool isPadding);
            long offset = position & ring.Mask;
            if (footprint < RecordFraming.RecordAlignment || footprint % RecordFraming.RecordAlignment != 0 ||
                offset + footprint > ring.Capacity || position + footprint > tail)
            {
                throw new FuzzFindingException($"CheckRecord accepted type {record.Type} length {record.Length} at {position} (tail {tail}) with footprint {footprint}");
            }

            if (!isPadding)
            {
                int length = record.Length - ring.FrameSize;
                if (length < 0 || length > ring.MaxPayload || offset + ring.FrameSize + length > ring.Capacity)
                {
                    throw new FuzzFindingException($"CheckRecord accepted a payload of {length} bytes at ring offset {offset}");
                }

                decoded += ViewStage.Run(new ReadOnlySpan<byte>(ring.PayloadAt(position), length)) ? 1 : 0;
            }

            position += footprint;
        }

        return decoded;
    }
}
