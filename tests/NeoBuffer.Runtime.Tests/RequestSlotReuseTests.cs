using System;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Sources;
using NeoBuffer.Requests;
using NeoBuffer.TestHost.Messages;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// A pending-request slot reused by the next request: nothing left over from its earlier use (an armed timer, a
/// deadline) may resolve the new one. Constructed in one thread, with the timer's callback called directly.
/// </summary>
public sealed class RequestSlotReuseTests
{
    [Fact]
    public async Task A_late_timer_of_an_earlier_request_leaves_the_next_request_of_the_slot_pending()
    {
        var owner = new Owner();
        var slot = new PendingRequest<AddResponse>(owner, 0);

        // First use: answered before its caller parked, so the timeout is armed after the slot was resolved.
        slot.Begin(1);
        Assert.True(slot.TryRespond(1, ResponseStatus.Ok, new byte[System.Runtime.CompilerServices.Unsafe.SizeOf<AddResponse>()]));
        slot.Park(1, TimeSpan.FromTicks(1), CancellationToken.None);
        await new ValueTask<AddResponse>(slot, slot.Version);

        // Second use, with no timeout: the first use's timer fires now, past its deadline.
        slot.Begin(2);
        slot.Park(2, Timeout.InfiniteTimeSpan, CancellationToken.None);
        slot.FireTimer();

        Assert.Equal(2, slot.Id);
        Assert.Equal(ValueTaskSourceStatus.Pending, slot.GetStatus(slot.Version));
    }

    private sealed class Owner : IPendingOwner
    {
        public string Name => "slot-reuse";

        public void ParkedChanged(int delta)
        {
        }

        public void Recycle(int index)
        {
        }

        public void Answered()
        {
        }
    }
}
