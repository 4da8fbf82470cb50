using System;
using System.Threading;
using NeoBuffer.Format;
using NeoBuffer.Ring;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// The MPSC reader's recovery of dead writers' claims (docs/format.md, "MPSC protocol", crash recovery), each race
/// built on one thread at a named protocol point: the reader must neither wait for ever nor write over a record that
/// was committed while it decided.
/// </summary>
public sealed unsafe class MpscRecoveryTests
{
    [Fact]
    public void A_claim_made_after_the_reader_read_the_claim_tail_is_recovered_not_forgotten()
    {
        using var rig = new MpscRig();
        MpscRig.Writer dying = rig.AddWriter();
        MpscRig.Writer healthy = rig.AddWriter();
        dying.DieAt(ProtocolPoint.MpscAnnounced, 8); // announced [0, 16), no CAS yet, and its lock is gone

        // The reader has read ClaimTail = 0 and finds the row dead; right then the writer's CAS lands after all, and it
        // dies filling the record (in a real run: its CAS came just after the reader's load, then it was killed).
        bool acted = false;
        using (ProtocolPoint.OnThisThread(name =>
        {
            if (name == ProtocolPoint.DeadRowFound && !acted)
            {
                acted = true;
                dying.DieAt(ProtocolPoint.MpscFilling, 8);
            }
        }))
        {
            rig.Consumer.ReclaimFromDeadPeers();
        }

        Assert.True(acted);
        Assert.Equal(16, Volatile.Read(ref rig.Header->ClaimTail));
        healthy.Write(8, 0xB0);

        // The dead claim at 0 must still be known, so it becomes padding and the healthy record behind it arrives.
        byte[]? next = rig.ReadRecovering();
        Assert.NotNull(next);
        Assert.Equal(8, next.Length);
        Assert.All(next, b => Assert.Equal(0xB0, b));

        // Once behind the head, the dead writer's row is free again.
        Assert.Null(rig.ReadRecovering(checks: 1));
        Assert.Equal(ParticipantRow.StateFree, rig.StateOf(dying.Row));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_record_committed_while_the_reader_decides_to_pad_a_stale_dead_claim_is_delivered_not_overwritten(bool headerWritten)
    {
        using var rig = new MpscRig();
        MpscRig.Writer stale = rig.AddWriter(); // row 1: read first by the reader
        MpscRig.Writer real = rig.AddWriter();  // row 2
        stale.DieAt(ProtocolPoint.MpscAnnounced, 8); // announced [0, 16) and died before its CAS: that claim never happened

        // The real claim of [0, 48): its header is either written ("being filled") or not yet.
        const int length = 40;
        if (headerWritten)
        {
            Assert.True(real.Ring.TryClaim(length) != null);
        }
        else
        {
            using (ProtocolPoint.OnThisThread(name =>
            {
                if (name == ProtocolPoint.MpscClaimed)
                {
                    throw new OperationCanceledException(); // stop the claim right after its CAS (the writer lives on)
                }
            }))
            {
                Assert.Throws<OperationCanceledException>(() => real.Ring.TryClaim(length));
            }
        }

        Assert.Equal(48, Volatile.Read(ref rig.Header->ClaimTail));

        // The reader finds the stale row dead; right then the real writer commits and clears its row.
        bool acted = false;
        using (ProtocolPoint.OnThisThread(name =>
        {
            if (name == ProtocolPoint.DeadRowFound && !acted)
            {
                acted = true;
                if (headerWritten)
                {
                    new Span<byte>(rig.Memory.PayloadAt(0), length).Fill(0x42);
                    real.Ring.Commit();
                }
                else
                {
                    // What its Commit stores, in its order: the payload, the header (one release store), the row.
                    new Span<byte>(rig.Memory.PayloadAt(0), length).Fill(0x42);
                    RingMemory.PublishRecord(rig.Memory.RecordAt(0), RecordHeader.TypeMessage, RecordHeader.Size + length);
                    Volatile.Write(ref rig.Row(real.Row)->Position, -1);
                }
            }
        }))
        {
            rig.Consumer.ReclaimFromDeadPeers();
        }

        Assert.True(acted);
        byte[]? message = rig.ReadRecovering();
        Assert.NotNull(message);
        Assert.Equal(length, message.Length);
        Assert.All(message, b => Assert.Equal(0x42, b));
        Assert.Null(rig.ReadRecovering(checks: 2));
        Assert.Equal(48, Volatile.Read(ref rig.Header->Head));
    }

    [Fact]
    public void A_dead_claim_whose_header_is_written_becomes_padding_of_exactly_its_record()
    {
        // The stale announcement ends inside the real claim: only the header's own length is the claim's extent.
        using var rig = new MpscRig();
        MpscRig.Writer stale = rig.AddWriter();
        MpscRig.Writer real = rig.AddWriter();
        MpscRig.Writer healthy = rig.AddWriter();
        stale.DieAt(ProtocolPoint.MpscAnnounced, 8);    // [0, 16), never claimed
        real.DieAt(ProtocolPoint.MpscFilling, 100);     // [0, 112), header written, dead
        healthy.Write(16, 0x77);                        // [112, 136)

        byte[]? next = rig.ReadRecovering();
        Assert.NotNull(next);
        Assert.Equal(16, next.Length);
        Assert.All(next, b => Assert.Equal(0x77, b));
    }

    [Fact]
    public void A_dead_claim_with_no_header_yet_is_padded_up_to_the_real_claims_end_whatever_a_stale_announcement_says()
    {
        using var rig = new MpscRig();
        MpscRig.Writer stale = rig.AddWriter();
        MpscRig.Writer real = rig.AddWriter();
        MpscRig.Writer healthy = rig.AddWriter();
        stale.DieAt(ProtocolPoint.MpscAnnounced, 8);  // [0, 16), never claimed
        real.DieAt(ProtocolPoint.MpscClaimed, 100);   // [0, 112) claimed, nothing written
        healthy.Write(16, 0x55);

        byte[]? next = rig.ReadRecovering();
        Assert.NotNull(next);
        Assert.All(next, b => Assert.Equal(0x55, b));
        Assert.Null(rig.ReadRecovering(checks: 2));
        for (int row = 1; row <= 3; row++)
        {
            Assert.Equal(row == healthy.Row ? ParticipantRow.StateActive : ParticipantRow.StateFree, rig.StateOf(row));
        }
    }

    [Fact]
    public void A_live_writers_claim_is_waited_for_not_padded()
    {
        using var rig = new MpscRig();
        MpscRig.Writer stale = rig.AddWriter();
        MpscRig.Writer live = rig.AddWriter();
        stale.DieAt(ProtocolPoint.MpscAnnounced, 8);
        Assert.True(live.Ring.TryClaim(40) != null);

        Assert.Null(rig.ReadRecovering(checks: 3));
        Assert.Equal(0, Volatile.Read(ref rig.Header->Head));
        new Span<byte>(rig.Memory.PayloadAt(0), 40).Fill(9);
        live.Ring.Commit();
        byte[]? message = rig.ReadRecovering(checks: 0);
        Assert.NotNull(message);
        Assert.All(message, b => Assert.Equal(9, b));
    }

    [Fact]
    public void Lengths_near_int_MaxValue_are_corruption_not_an_ArgumentOutOfRangeException_or_a_write_past_the_ring()
    {
        // A 2 GiB ring, so such lengths pass every ring-size check (one ring for both cases: it costs its memory).
        using var rig = new MpscRig(capacity: 1L << 31, maxMessageSize: 1000, openConsumer: false);

        // A dead reader's row announcing it was zeroing [8, 8 + 2 GiB): across the ring's end, and too long for a span.
        const long head = 8;
        const long end = head + (1L << 31);
        Volatile.Write(ref rig.Header->ClaimTail, end);
        Volatile.Write(ref rig.Header->Head, head);
        rig.Row(0)->ClaimEnd = end;
        Volatile.Write(ref rig.Row(0)->Position, head);
        var zeroing = Assert.Throws<ChannelCorruptedException>(() => rig.OpenConsumer());
        Assert.Contains("zeroing", zeroing.Message);

        // A padding record of int.MaxValue bytes at the head, within ClaimTail.
        Volatile.Write(ref rig.Row(0)->Position, -1);
        Volatile.Write(ref rig.Header->Head, 0);
        Volatile.Write(ref rig.Header->ClaimTail, 1L << 31);
        RingMemory.PublishRecord(rig.Memory.RecordAt(0), RecordHeader.TypePadding, int.MaxValue);
        rig.OpenConsumer();
        var padding = Assert.Throws<ChannelCorruptedException>(() => rig.TryRead(out _));
        Assert.Contains("padding", padding.Message);
        Assert.Equal(0, Volatile.Read(ref rig.Header->Head));
    }
}
