using NeoBuffer.Format;
using NeoBuffer.Ring;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// MPSC writers killed after their commit but before they clear their row leave announcements the reader no longer
/// needs. A new writer may take such a row at once: it must not depend on the reader getting a quiet moment to free it
/// (docs/format.md, "MPSC protocol").
/// </summary>
public sealed unsafe class StaleAnnouncementTests
{
    [Fact]
    public void A_new_writer_takes_a_dead_row_whose_announcement_is_behind_the_head_or_was_never_claimed()
    {
        using var rig = new MpscRig(maxProducers: 2);
        MpscRig.Writer first = rig.AddWriter();
        MpscRig.Writer second = rig.AddWriter();
        first.Write(8, 0x11);
        Assert.True(rig.TryRead(out _));
        long head = rig.Header->Head;
        long claimTail = rig.Header->ClaimTail;

        // The first died between its commit and clearing its row: it announces [0, 16), now behind the head.
        rig.Row(first.Row)->ClaimEnd = head;
        rig.Row(first.Row)->Position = 0;
        first.Die();

        // The second died after announcing, before its CAS: its claim never happened.
        rig.Row(second.Row)->ClaimEnd = claimTail + 16;
        rig.Row(second.Row)->Position = claimTail;
        second.Die();

        MpscRig.Writer a = rig.AddWriter();
        MpscRig.Writer b = rig.AddWriter();
        Assert.Equal(ParticipantRow.StateActive, rig.StateOf(a.Row));
        Assert.Equal(ParticipantRow.StateActive, rig.StateOf(b.Row));
        a.Write(8, 0x22);
        b.Write(8, 0x33);
        Assert.True(rig.TryRead(out byte[] one));
        Assert.True(rig.TryRead(out byte[] two));
        Assert.All(one, x => Assert.Equal(0x22, x));
        Assert.All(two, x => Assert.Equal(0x33, x));
    }

    [Fact]
    public void A_new_writer_still_leaves_a_dead_row_whose_claim_covers_the_head_to_the_reader()
    {
        using var rig = new MpscRig(maxProducers: 1);
        MpscRig.Writer dying = rig.AddWriter();
        dying.DieAt(ProtocolPoint.MpscFilling, 8);
        Assert.Throws<ChannelRoleTakenException>(() => rig.AddWriter());
    }
}
