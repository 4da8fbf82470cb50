using NeoBuffer.Format;
using NeoBuffer.Ring;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// The reader's peer check may load a "being filled" header before all of it is visible (on arm64 the Length store
/// can be seen before the Type store of an older writer; x86-64 never reorders two stores, so there it cannot happen
/// and this test constructs the state instead). Once the claimer is proven dead its header is final: the reader
/// decides on that, not on the torn value (docs/format.md, "MPSC protocol").
/// </summary>
public sealed unsafe class TornClaimHeaderTests
{
    [Fact]
    public void A_being_filled_header_seen_torn_before_its_writer_is_proven_dead_is_not_called_corruption()
    {
        using var rig = new MpscRig(maxProducers: 2);
        MpscRig.Writer dying = rig.AddWriter();
        dying.DieAt(ProtocolPoint.MpscFilling, 8); // [0, 16) claimed, header {Length = -16, Type = Message}, dead
        var header = (RecordHeader*)rig.Memory.RecordAt(0);
        Assert.Equal(-16, header->Length);

        // The check's header load catches only the Length store; by the time the row is found dead the Type is there.
        header->Type = 0;
        bool restored = false;
        using (ProtocolPoint.OnThisThread(name =>
        {
            if (name == ProtocolPoint.DeadRowFound && !restored)
            {
                restored = true;
                header->Type = RecordHeader.TypeMessage;
            }
        }))
        {
            rig.Consumer.ReclaimFromDeadPeers();
        }

        Assert.True(restored);
        MpscRig.Writer healthy = rig.AddWriter();
        healthy.Write(8, 0x5A);
        byte[]? message = rig.ReadRecovering();
        Assert.NotNull(message);
        Assert.All(message, b => Assert.Equal(0x5A, b));
    }
}
