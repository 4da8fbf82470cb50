using NeoBuffer.Interop;
using NeoBuffer.Waiting;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// A global barrier the kernel refuses (after registration succeeded) is not taken for a fence: the waiter's arming
/// stays unfenced, so it keeps sleeping in short slices and re-checking, instead of trusting an arming a publisher may
/// have missed (docs/format.md, "Waking").
/// </summary>
public sealed class MembarrierFailureTests
{
    [Fact]
    public void A_failed_global_barrier_leaves_the_arming_unfenced_and_the_slices_short()
    {
        if (!Membarrier.IsRegistered)
        {
            return; // publishers fence in this process (NEOBUFFER_FENCED_PUBLICATION or no membarrier): no barrier is made
        }

        var fence = default(PublisherFence);
        using (Membarrier.FailBarriersOnThisThread())
        {
            Assert.True(fence.MakeOnce()); // the waiter re-checks after the attempt either way
            Assert.Equal(RingWait.UnfencedSliceNs, fence.SliceNs);
        }

        fence.Rearmed();
        Assert.True(fence.MakeOnce());
        Assert.Equal(RingWait.PeerCheckIntervalNs, fence.SliceNs);
        Assert.False(fence.MakeOnce());
    }
}
