using System;
using System.Runtime.CompilerServices;
using System.Threading;
using NeoBuffer.Format;
using NeoBuffer.Waiting;

namespace NeoBuffer.Ring;

/// <summary>
/// A producer's side of the multi-producer single-consumer ring protocol (docs/format.md, "MPSC protocol"); any number
/// of processes and endpoints each open one, and the channel's one consumer reads them all (<see cref="MpscConsumer"/>).
/// <para>
/// Producers claim space by CAS on <see cref="ChannelHeader.ClaimTail"/>, so claims are ordered but commits may finish
/// in any order: each record is committed on its own, by a release store of its positive length (negative while it is
/// being filled). The consumer zeroes what it consumed before it returns the space, so a header a producer has not
/// written yet reads 0.
/// </para>
/// <para>
/// Crash safety: a producer announces each claim (start and end) in its participant row before the CAS, and clears it
/// after the commit, so a claim left by a writer that died is always announced, and the consumer can turn it into
/// padding (<see cref="MpscConsumer.ReclaimFromDeadPeers"/>, which says why that is safe).
/// </para>
/// <para>
/// Completion sets <see cref="MpscClaimTail.ClosedBit"/> in ClaimTail by CAS, so every claim is either before the close (and the
/// consumer reads it before it reports the end) or fails; the closer announces it in its row until the completion is
/// stored, so that its death in between faults the channel instead of leaving it open for ever (<see cref="TryComplete"/>).
/// </para>
/// </summary>
internal sealed unsafe class MpscProducer : RingProducer
{
    /// <summary>The longest stretch a batch's records span: its first header's negative length names it while it is filled.</summary>
    private const long MaxBatchStretch = int.MaxValue & ~(RecordFraming.RecordAlignment - 1);

    private readonly ParticipantRow* _row;
    private readonly bool _failWhenReaderDies;
    private readonly System.Threading.Lock _closing = new(); // TryComplete says why
    private long _cachedHead;

    private MpscProducer(RingMemory memory, ParticipantRow* row, bool failWhenReaderDies)
        : base(memory)
    {
        _row = row;
        _failWhenReaderDies = failWhenReaderDies;
    }

    /// <summary>Opens a producer's side; <paramref name="row"/> is its row, where it announces its claims.</summary>
    public static MpscProducer Open(RingMemory memory, ParticipantRow* row, bool failWhenReaderDies)
    {
        var producer = new MpscProducer(memory, row, failWhenReaderDies);
        row->Position = -1;
        producer._cachedHead = producer.ReadHead();
        return producer;
    }

    // claim (CAS) -> fill -> commit (release store of the header) or abort (turn it into padding)

    protected override byte* TryClaimChecked(int length)
    {
        var one = new OneLength(length);
        if (!TryReserve(ref one, out long tail, out long padding, out _, out _))
        {
            return null;
        }

        // Padding is committed at once; the record is marked "being filled" until Commit.
        Memory.WritePadding(tail, padding);
        ClaimPosition = tail + padding;
        ClaimLength = length;
        // One 8-byte store, not Type then Length: on arm64 another core may see two stores in either order, and a
        // reader that caught only the negative length (type 0) would take a dead writer's header for corruption.
        *(long*)Memory.RecordAt(ClaimPosition) = RecordHeader.Word(RecordHeader.TypeMessage, -(RecordHeader.Size + length));
        ProtocolPoint.Reached(ProtocolPoint.MpscFilling);
        return Memory.PayloadAt(ClaimPosition);
    }

    /// <summary>
    /// Claims room for as many of the source's messages as fit now with one CAS, writes them, and commits them with
    /// one release store: of the first record's header.
    /// <para>
    /// The claim is announced and made as any claim is; padding, if the first record needs it, is committed at once,
    /// and the batch stops at the first later message that would need padding (the ring's end, or a large payload's
    /// alignment), so its records lie back to back. The first record's header is stored "being filled" with the whole
    /// stretch's extent (negative), then each payload is copied and, from the second on, its header stored committed;
    /// the first record's header, stored last with release, commits them all: the consumer waits at a negative header
    /// and reads no further until it turns positive. A writer that dies midway leaves that negative header, and
    /// recovery pads the whole stretch it names, later records committed or not: the batch is lost whole, never in
    /// part. A writer that dies before storing it leaves only zeroes (nothing is copied before), which recovery pads
    /// up to the announced end.
    /// </para>
    /// </summary>
    public override int TryWriteBatch<TSource>(ref TSource source)
    {
        if (ClaimPosition >= 0)
        {
            RingErrors.ThrowClaimOpen();
        }

        if (source.Count == 0)
        {
            return 0;
        }

        int firstLength = source.LengthAt(0);
        if (!TryReserve(ref source, out long tail, out long padding, out int count, out long end))
        {
            return 0;
        }

        Memory.WritePadding(tail, padding);
        long first = tail + padding;

        // "Being filled", with the whole stretch as its extent (at most MaxBatchStretch): recovery pads all of it, so
        // the later records, committed one by one below, never reach a reader unless the first does. Stored before any
        // copy: a first header still zero means the stretch holds nothing of this batch yet.
        *(long*)Memory.RecordAt(first) = RecordHeader.Word(RecordHeader.TypeMessage, -(int)(end - first));
        ProtocolPoint.Reached(ProtocolPoint.MpscFilling);
        int type = RecordHeader.TypeMessage;
        long position = first;
        try
        {
            for (int index = 0; index < count; index++)
            {
                int length = source.LengthAt(index);
                source.CopyTo(index, new Span<byte>(Memory.PayloadAt(position), length));
                if (index > 0)
                {
                    // Plain: the consumer reaches it only through the first header's release store below.
                    *(long*)Memory.RecordAt(position) = RecordHeader.Word(type, RecordHeader.Size + length);
                    ProtocolPoint.Reached(ProtocolPoint.MpscBatchCopied);
                }

                position += Memory.Footprint(length);
            }
        }
        catch
        {
            // Claimed space cannot be given back (others may have claimed after it): the batch becomes padding.
            type = RecordHeader.TypePadding;
            position = first + Memory.Footprint(firstLength);
            for (int index = 1; index < count; index++)
            {
                long footprint = Memory.Footprint(source.LengthAt(index));
                *(long*)Memory.RecordAt(position) = RecordHeader.Word(type, (int)footprint);
                position += footprint;
            }

            ClaimPosition = first;
            Publish(type, (int)Memory.Footprint(firstLength));
            throw;
        }

        ClaimPosition = first;
        Publish(type, RecordHeader.Size + firstLength);
        return count;
    }

    /// <summary>
    /// Claims room by CAS on ClaimTail for the source's first message and as many of the next ones as lie back to back
    /// after it and fit now: <paramref name="tail"/> is where the claim starts, <paramref name="padding"/> the padding
    /// before its first record (not written yet), <paramref name="count"/> how many records it holds, and
    /// <paramref name="end"/> where it ends (its records span at most <see cref="MaxBatchStretch"/>). False when the
    /// channel is completed or the ring has no room for the first message.
    /// </summary>
    private bool TryReserve<TSource>(ref TSource source, out long tail, out long padding, out int count, out long end)
        where TSource : IMessageBatchSource, allows ref struct
    {
        int firstLength = source.LengthAt(0);
        Memory.CheckLength(firstLength);
        tail = Volatile.Read(ref Header->ClaimTail);
        while (true)
        {
            if (MpscClaimTail.IsClosed(tail))
            {
                Volatile.Write(ref _row->Position, -1);
                padding = 0;
                count = 0;
                end = 0;
                return false; // completed: the writer reports it
            }

            if (!RecordFraming.IsBoundaryWithin(tail, 0, long.MaxValue))
            {
                throw Memory.Corrupted($"the claim tail {tail} is impossible");
            }

            padding = Memory.PaddingBefore(tail, firstLength);
            end = tail + padding + Memory.Footprint(firstLength);
            if (end - _cachedHead > Capacity)
            {
                _cachedHead = ReadHead();
                if (end - _cachedHead > Capacity)
                {
                    if (_cachedHead <= tail)
                    {
                        Volatile.Write(ref _row->Position, -1);
                        count = 0;
                        return false;
                    }

                    // Our tail is older than the head we just read: others claimed and were consumed meanwhile.
                    tail = Volatile.Read(ref Header->ClaimTail);
                    continue;
                }
            }

            count = 1;
            bool headFresh = false;
            while (count < source.Count)
            {
                int length = source.LengthAt(count);
                Memory.CheckLength(length);
                long next = end + Memory.Footprint(length);
                if (Memory.PaddingBefore(end, length) != 0 || next - (tail + padding) > MaxBatchStretch)
                {
                    break;
                }

                if (next - _cachedHead > Capacity)
                {
                    // The cached head is stale or the ring is full: read it once per batch, then take what fits.
                    if (headFresh)
                    {
                        break;
                    }

                    _cachedHead = ReadHead();
                    headFresh = true;
                    if (next - _cachedHead > Capacity)
                    {
                        break;
                    }
                }

                end = next;
                count++;
            }

            // Announced before the CAS, so a claim is never made that a crash could leave unannounced.
            _row->ClaimEnd = end;
            Volatile.Write(ref _row->Position, tail);
            ProtocolPoint.Reached(ProtocolPoint.MpscAnnounced);
            long seen = Interlocked.CompareExchange(ref Header->ClaimTail, end, tail);
            if (seen == tail)
            {
                ProtocolPoint.Reached(ProtocolPoint.MpscClaimed);
                return true;
            }

            tail = seen;
        }
    }

    /// <summary>A single claim, as a source of one message, so that it is reserved as a batch is.</summary>
    private readonly ref struct OneLength(int length) : IMessageBatchSource
    {
        public int Count => 1;

        public int LengthAt(int index) => length;

        public void CopyTo(int index, Span<byte> destination) => throw new InvalidOperationException("A claim is filled by its owner.");
    }

    public override void Commit(int length)
    {
        // The claim's extent is fixed: ClaimTail moved past it by CAS and later claims may already follow it. A shorter
        // message keeps its record header at the claim's start and the rest of the extent becomes one padding record.
        // Both ends are 8-aligned, so that rest is 0 or at least one header long: a padding record always fits it.
        // The padding header is stored before the record's release store, so a consumer that acquires the record sees
        // it; until then the consumer stops at the record's negative "being filled" header and never reaches it. A
        // writer that dies between the two leaves that negative header, whose length is the whole claim: recovery
        // pads the whole extent, and this padding header is just bytes inside it.
        long used = Memory.Footprint(length);
        long rest = Memory.Footprint(ClaimLength) - used;
        if (rest > 0)
        {
            *Memory.RecordAt(ClaimPosition + used) = new RecordHeader { Type = RecordHeader.TypePadding, Length = (int)rest };
        }

        Publish(RecordHeader.TypeMessage, RecordHeader.Size + length);
    }

    public override void Abort()
    {
        if (ClaimPosition >= 0)
        {
            // Claimed space cannot be given back (others may have claimed after it): it becomes padding.
            Publish(RecordHeader.TypePadding, (int)Memory.Footprint(ClaimLength));
        }
    }

    private void Publish(int type, int length)
    {
        RingMemory.PublishRecord(Memory.RecordAt(ClaimPosition), type, length);
        ClaimPosition = -1;
        Volatile.Write(ref _row->Position, -1);
        Publication.AfterRelease(Header); // orders the commit before the wake-word load (see Publication)
        RingWait.WakeIfParked((nint)(&Header->ReaderWake));
    }

    public override bool HasSpaceFor(int length)
    {
        long head = ReadHead();
        long tail = Volatile.Read(ref Header->ClaimTail);
        if (MpscClaimTail.IsClosed(tail))
        {
            return true; // nothing to wait for: the claim fails, and the writer sees its end (SharedChannelWriter.HasEnded)
        }

        _cachedHead = head;
        return tail + Memory.PaddingBefore(tail, length) + Memory.Footprint(length) - head <= Capacity;
    }

    public override void ReclaimFromDeadPeers() => PeerLiveness.ThrowIfReaderGone(Memory.Segment, ParticipantTable.MpscReaderRow, _failWhenReaderDies);


    public override bool IsClosed => MpscClaimTail.IsClosed(Volatile.Read(ref Header->ClaimTail));

    /// <summary>
    /// Closes the claim counter (<see cref="MpscClaimTail.ClosedBit"/>, by CAS), then records the completion; only the
    /// producer whose CAS set the bit records it. The close is announced in this producer's row
    /// (<see cref="ParticipantRow.ModeClosing"/>) from before the CAS until after Completion is stored, so a consumer
    /// that finds the counter closed and no completion can tell a closer still at work (wait) from one that died
    /// between the two stores (fault the channel in its stead), and from a bit no closer set
    /// (<see cref="MpscUnrecordedCompletion"/>, which gives the ordering argument).
    /// </summary>
    public override bool TryComplete(ChannelCompletion completion, string? reason)
    {
        // One close at a time per row: the announcement is the row's, so a second call's withdrawal (its CAS lost to
        // the first) would otherwise clear it while the first is between its CAS and its Completion, and a consumer
        // looking then would fault the channel under a live closer. Writers are not thread-safe, but a race of two
        // completions must cost no more than one of them returning false.
        lock (_closing)
        {
            // Release, then the CAS (a full fence): a consumer whose acquire load of ClaimTail sees the bit sees this store.
            Volatile.Write(ref _row->Mode, ParticipantRow.ModeClosing);
            try
            {
                return Close() && completion.TryComplete(reason);
            }
            finally
            {
                // Release, after Completion is stored (or found stored by another: a full CAS read it): a consumer that
                // acquires this cleared mode then loads a stored Completion. A close that lost its CAS withdraws at once;
                // a completion that threw leaves none pending, which the consumer reports as a bit no closer followed up.
                Volatile.Write(ref _row->Mode, 0);
            }
        }
    }

    private bool Close()
    {
        long tail = Volatile.Read(ref Header->ClaimTail);
        while (!MpscClaimTail.IsClosed(tail))
        {
            long seen = Interlocked.CompareExchange(ref Header->ClaimTail, tail | MpscClaimTail.ClosedBit, tail);
            if (seen == tail)
            {
                ProtocolPoint.Reached(ProtocolPoint.MpscClosed);
                return true;
            }

            tail = seen;
        }

        return false;
    }

    /// <summary>
    /// The consumer's head, checked against a claim tail read after it: Head never passes ClaimTail and both only grow,
    /// so a head beyond a later claim tail can only be corruption.
    /// </summary>
    private long ReadHead()
    {
        long head = Volatile.Read(ref Header->Head);
        long tail = MpscClaimTail.PositionOf(Volatile.Read(ref Header->ClaimTail));
        if (!RecordFraming.IsBoundaryWithin(head, 0, tail))
        {
            throw Memory.Corrupted($"the consumer's head {head} is impossible for claim tail {tail}");
        }

        return head;
    }
}
