using System.Runtime.CompilerServices;
using System.Threading;
using NeoBuffer.Format;
using NeoBuffer.Waiting;

namespace NeoBuffer.Ring;

/// <summary>
/// The consumer's side of the single-producer single-consumer ring protocol (docs/format.md, "SPSC protocol"). It
/// leases each record in place once an acquire load of its 8-byte header reads non-zero (the producer's commit), and
/// returns the space by storing <see cref="ChannelHeader.Head"/> after it has finished reading. Every header is checked
/// against this side's own head and the capacity validated at open before it is used to compute an address.
/// </summary>
internal sealed unsafe class SpscConsumer : RingConsumer
{
    private long _head;

    public override long Position => _head;

    private SpscConsumer(RingMemory memory)
        : base(memory)
    {
    }

    /// <summary>Opens the consumer's side: it resumes at Head, where the previous consumer stopped.</summary>
    public static SpscConsumer Open(RingMemory memory)
    {
        var consumer = new SpscConsumer(memory);
        long head = Volatile.Read(ref memory.Header->Head);
        if (!RecordFraming.IsBoundaryWithin(head, 0, long.MaxValue))
        {
            throw memory.Corrupted($"head {head} is impossible");
        }

        consumer._head = head;
        return consumer;
    }

    // lease a record in place -> read it -> release

    protected override void Advance(long end) => _head = end;

    // One call on the one-message-per-call path, not Advance and PublishConsumed (two virtual calls).
    protected override void ConsumeUpTo(long end)
    {
        _head = end;
        PublishHead();
    }

    protected override void PublishConsumed() => PublishHead();

    public override void ReclaimFromDeadPeers() => PeerLiveness.FaultIfWriterDead(Memory.Segment, ParticipantTable.SpscWriterRow);

    protected override bool TryFindNext(out long position, out long footprint, out int length)
    {
        long skipped = 0;
        while (true)
        {
            // One acquire load of the whole header: it is the commit, and a hostile peer could change it between two reads.
            long word = Volatile.Read(ref *(long*)Memory.RecordAt(_head));
            if (word == 0)
            {
                position = 0;
                footprint = 0;
                length = 0;
                return false;
            }

            RecordHeader record = Unsafe.As<long, RecordHeader>(ref word);
            footprint = Memory.CheckRecord(_head, record, _head + Capacity - RecordHeader.Size, out bool isPadding);
            if (isPadding)
            {
                CountPadding(ref skipped, _head, footprint);

                // Published at once, so a writer waiting for exactly this space is not stranded.
                _head += footprint;
                PublishHead();
                continue;
            }

            position = _head;
            length = record.Length - RecordHeader.Size;
            return true;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void PublishHead()
    {
        Publication.Publish(Header, ref Header->Head, _head);
        RingWait.WakeIfParked((nint)(&Header->WriterWake));
    }
}
