using System;
using NeoBuffer.Format;
using NeoBuffer.Ring;

namespace NeoBuffer.Fuzz;

/// <summary>
/// (b) The input as a ring region, walked as the consumers walk it (SpscConsumer/MpscConsumer/BroadcastSubscriber.TryFindNext):
/// one copy of each record header, <see cref="RingMemory.CheckRecord"/> against the region known written, padding
/// skipped, each message payload decoded as a <see cref="FuzzMessage"/> view.
/// <para>Input layout (<see cref="RingInput"/>): byte 0 selects the ring (bit 0 broadcast frame, bit 1 64-byte
/// payload limit); bytes 1-2 the head's ring offset; bytes 3-4 the bytes written past the head; bytes 5-8 the head's
/// lap; then the ring's bytes from the head on, wrapping at the end. The head and tail get the checks the consumers
/// give them (8-aligned, tail - head within the capacity), as MPSC and broadcast readers do.</para>
/// <para>The plain-frame rings are then read again by the real SPSC consumer, from the same head, as it reads them since
/// format version 2: by the headers alone, up to the first zero one.</para>
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
            int decoded;
            try
            {
                decoded = Walk(ring, head, tail);
            }
            catch (ChannelCorruptedException)
            {
                decoded = -1;
            }

            if (ring.FrameSize == RecordFraming.PlainFrame)
            {
                ReadAsSpscConsumer(ring, head);
            }

            return decoded;
        }
    }

    /// <summary>
    /// The same bytes read by the real SPSC consumer (<see cref="SpscConsumer"/>), which follows headers alone and stops at a
    /// zero one: every lease it hands out must lie inside the ring and the payload limit, and each read must end (a
    /// message, "nothing yet", or <see cref="ChannelCorruptedException"/>). Static bytes can hold a ring of valid records
    /// with no zero header, which a consumer would rightly read for ever: one lap of reads is enough to judge.
    /// </summary>
    private static void ReadAsSpscConsumer(RingMemory ring, long head)
    {
        ring.Header->Head = head;
        SpscConsumer consumer;
        try
        {
            consumer = SpscConsumer.Open(ring);
        }
        catch (ChannelCorruptedException)
        {
            return;
        }

        for (long reads = 0; reads <= ring.Capacity / RecordFraming.RecordAlignment; reads++)
        {
            byte* payload;
            int length;
            try
            {
                if (!consumer.TryBeginRead(out payload, out length))
                {
                    return;
                }
            }
            catch (ChannelCorruptedException)
            {
                return;
            }

            long offset = payload - ring.Data;
            if (length < 0 || length > ring.MaxPayload || offset < ring.FrameSize || offset + length > ring.Capacity)
            {
                throw new FuzzFindingException($"the SPSC consumer leased {length} bytes at ring offset {offset}");
            }

            consumer.EndRead();
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
