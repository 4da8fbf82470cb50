using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Sources;
using NeoBuffer.Requests;
using NeoBuffer.Ring;
using NeoBuffer.Testing;
using NeoBuffer.Waiting;
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
        slot.Park(1, TimeSpan.FromTicks(1), RingWait.DeadlineOf(TimeSpan.FromTicks(1)), CancellationToken.None);
        await new ValueTask<AddResponse>(slot, slot.Version);

        // Second use, with no timeout: the first use's timer fires now, past its deadline.
        slot.Begin(2);
        slot.Park(2, Timeout.InfiniteTimeSpan, RingWait.DeadlineOf(Timeout.InfiniteTimeSpan), CancellationToken.None);
        slot.FireTimer();

        Assert.Equal(2, slot.Id);
        Assert.Equal(ValueTaskSourceStatus.Pending, slot.GetStatus(slot.Version));
    }

    [Fact]
    public async Task A_caller_that_parks_after_its_answer_came_uncounts_itself_and_one_that_parked_first_is_uncounted_by_the_answer()
    {
        var owner = new Owner();
        var slot = new PendingRequest<AddResponse>(owner, 0);
        byte[] body = new byte[Unsafe.SizeOf<AddResponse>()];

        // Answered while its caller spun: the answer finds no park mark and leaves it (no interlocked operation); the
        // caller that parks next finds the id resolved after its mark, and takes itself out of the parked count.
        slot.Begin(1);
        Assert.True(slot.TryRespond(1, ResponseStatus.Ok, body));
        slot.Park(1, Timeout.InfiniteTimeSpan, RingWait.DeadlineOf(Timeout.InfiniteTimeSpan), CancellationToken.None);
        Assert.Equal(0, owner.Parked);
        await new ValueTask<AddResponse>(slot, slot.Version);

        // Parked first: the answer finds the mark and takes the caller out of the count, once.
        slot.Begin(2);
        slot.Park(2, Timeout.InfiniteTimeSpan, RingWait.DeadlineOf(Timeout.InfiniteTimeSpan), CancellationToken.None);
        Assert.Equal(1, owner.Parked);
        Assert.True(slot.TryRespond(2, ResponseStatus.Ok, body));
        Assert.Equal(0, owner.Parked);
    }

    [Fact]
    public async Task A_negative_timeout_is_refused_before_anything_is_sent_and_a_timeout_longer_than_a_timer_takes_is_waited_out()
    {
        using var channel = new TestChannel("rr");
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16));
        SharedChannelOptions parking = channel.Options(1 << 16);
        parking.SpinCount = 0; // each request parks at once, arming its timer
        using SharedClient<AddRequest, AddResponse> client = await ManualServing.ConnectAsync(server, channel, parking);
        TimeSpan negative = TimeSpan.FromMilliseconds(-5);

        // Refused before the send: found after it, the refusal left the request's slot and permit taken.
        Assert.Throws<ArgumentOutOfRangeException>(() => client.Request(new AddRequest { A = 1 }, negative));
        Assert.Throws<ArgumentOutOfRangeException>(() => client.RequestAsync(new AddRequest { A = 1 }, negative));
        Assert.Throws<ArgumentOutOfRangeException>(() => client.RequestLease(new AddRequest { A = 1 }, negative));
        Assert.Throws<ArgumentOutOfRangeException>(() => client.RequestLeaseAsync(new AddRequest { A = 1 }, negative));
        Assert.Throws<ArgumentOutOfRangeException>(() => SendClaimed(client, negative));
        Assert.Equal(SharedClient<AddRequest, AddResponse>.MaxInFlight, client.FreeSlots);
        Assert.False(server.TryRead(out _)); // and nothing reached the server

        // Sixty days is more than System.Threading.Timer takes in one arming (about 49.7): the request is armed for
        // what the timer takes, and waits for its answer.
        ValueTask<AddResponse> patient = client.RequestAsync(new AddRequest { A = 40, B = 2 }, TimeSpan.FromDays(60));
        using (IncomingRequest<AddRequest, AddResponse> asked = await ManualServing.ReadOneAsync(server))
        {
            Assert.True(asked.TryReply(new AddResponse { Sum = asked.Message.A + asked.Message.B }));
        }

        Assert.Equal(42, (await patient.AsTask().WaitAsync(ManualServing.Generous)).Sum);
        Assert.Equal(SharedClient<AddRequest, AddResponse>.MaxInFlight, client.FreeSlots);
    }

    [Fact]
    public async Task A_claim_of_a_negative_length_or_timeout_or_with_a_cancelled_token_is_refused_and_takes_nothing()
    {
        using var channel = new TestChannel("rr");
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16));
        using SharedClient<AddRequest, AddResponse> client = await ManualServing.ConnectAsync(server, channel, channel.Options(1 << 16));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        // A length of -1 to -24 once fitted the envelope's 24 bytes, claimed them, and then failed with the ring's
        // claim left open: every later claim of the client failed.
        Assert.Throws<ArgumentOutOfRangeException>(() => client.ClaimRequest(-1, ManualServing.Generous).Dispose());
        Assert.Throws<ArgumentOutOfRangeException>(() => client.ClaimRequest(-24, ManualServing.Generous).Dispose());
        Assert.Throws<ArgumentOutOfRangeException>(() => client.ClaimRequest(Unsafe.SizeOf<AddRequest>(), TimeSpan.FromMilliseconds(-5)).Dispose());
        Assert.Throws<OperationCanceledException>(() => client.ClaimRequest(Unsafe.SizeOf<AddRequest>(), ManualServing.Generous, cancelled.Token).Dispose());
        Assert.Equal(SharedClient<AddRequest, AddResponse>.MaxInFlight, client.FreeSlots);

        RequestClaim<AddRequest, AddResponse> claim = client.ClaimRequest(Unsafe.SizeOf<AddRequest>(), ManualServing.Generous);
        MemoryMarshal.Write(claim.Payload, new AddRequest { A = 40, B = 2 });
        ValueTask<ResponseLease<AddResponse>> answer = claim.SendAsync(ManualServing.Generous);
        using (IncomingRequest<AddRequest, AddResponse> asked = await ManualServing.ReadOneAsync(server))
        {
            Assert.True(asked.TryReply(new AddResponse { Sum = asked.Message.A + asked.Message.B }));
        }

        using ResponseLease<AddResponse> lease = await answer.AsTask().WaitAsync(ManualServing.Generous);
        Assert.Equal(42, lease.Message.Sum);
    }

    private static void SendClaimed(SharedClient<AddRequest, AddResponse> client, TimeSpan timeout)
    {
        RequestClaim<AddRequest, AddResponse> claim = client.ClaimRequest(Unsafe.SizeOf<AddRequest>(), ManualServing.Generous);
        MemoryMarshal.Write(claim.Payload, new AddRequest { A = 1 });
        claim.Send(timeout).Dispose(); // throws first, and gives the claim back
    }

    [Fact]
    public async Task A_second_GetResult_of_an_answered_request_throws_and_leaves_the_next_request_of_its_slot_alone()
    {
        using var channel = new TestChannel("rr");
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16));
        using SharedClient<AddRequest, AddResponse> client = await ManualServing.ConnectAsync(server, channel);

        ValueTask<AddResponse> first = client.RequestAsync(new AddRequest { A = 1 }, ManualServing.Generous);
        using (IncomingRequest<AddRequest, AddResponse> one = await ManualServing.ReadOneAsync(server))
        {
            Assert.True(one.TryReply(new AddResponse { Sum = 1 }));
        }

        Assert.Equal(1, (await first).Sum);

        // The slot went back to the free list when its result was taken: the next request is given it.
        ValueTask<AddResponse> second = client.RequestAsync(new AddRequest { A = 2 }, ManualServing.Generous);
        Assert.Throws<InvalidOperationException>(() => first.Result); // a misuse, refused before it touches the slot

        using (IncomingRequest<AddRequest, AddResponse> two = await ManualServing.ReadOneAsync(server))
        {
            Assert.True(two.TryReply(new AddResponse { Sum = 2 }));
        }

        Assert.Equal(2, (await second.AsTask().WaitAsync(ManualServing.Generous)).Sum);
        Assert.Equal(SharedClient<AddRequest, AddResponse>.MaxInFlight, client.FreeSlots);
    }

    [Fact]
    public async Task A_copy_of_a_claim_that_was_sent_is_refused_and_gives_back_nothing_twice()
    {
        using var channel = new TestChannel("rr");
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16));
        using SharedClient<AddRequest, AddResponse> client = await ManualServing.ConnectAsync(server, channel);

        // A claim is a struct: a copy outlives the send of the original. Sending or disposing the copy must neither take
        // a slot outside the send gate nor give back the gate and the in-flight permit a second time.
        (ValueTask<ResponseLease<AddResponse>> sent, Exception? copySent) = SendThenSendACopy(client);
        Assert.IsType<InvalidOperationException>(copySent);
        using (IncomingRequest<AddRequest, AddResponse> one = await ManualServing.ReadOneAsync(server))
        {
            Assert.True(one.TryReply(new AddResponse { Sum = 1 }));
        }

        (await sent.AsTask().WaitAsync(ManualServing.Generous)).Dispose();

        Assert.Equal(SharedClient<AddRequest, AddResponse>.MaxInFlight, client.FreeSlots);

        // The gate is one again: a claim is taken, and a second one waits for it (briefly) and gives up.
        RequestClaim<AddRequest, AddResponse> next = client.ClaimRequest(Unsafe.SizeOf<AddRequest>(), ManualServing.Generous);
        try
        {
            Assert.Throws<TimeoutException>(() => ClaimAnother(client));
        }
        finally
        {
            next.Dispose();
        }
    }

    // Sends a claim, then sends its copy (what that throws is returned) and disposes the copy.
    private static (ValueTask<ResponseLease<AddResponse>> Sent, Exception? CopySent) SendThenSendACopy(SharedClient<AddRequest, AddResponse> client)
    {
        RequestClaim<AddRequest, AddResponse> claim = client.ClaimRequest(Unsafe.SizeOf<AddRequest>(), ManualServing.Generous);
        RequestClaim<AddRequest, AddResponse> copy = claim;
        MemoryMarshal.Write(claim.Payload, new AddRequest { A = 1 });
        ValueTask<ResponseLease<AddResponse>> sent = claim.SendAsync(ManualServing.Generous);
        Exception? copySent = null;
        try
        {
            _ = copy.SendAsync(ManualServing.Generous);
        }
        catch (Exception e)
        {
            copySent = e;
        }

        copy.Dispose();
        return (sent, copySent);
    }

    private static void ClaimAnother(SharedClient<AddRequest, AddResponse> client) =>
        client.ClaimRequest(Unsafe.SizeOf<AddRequest>(), TimeSpan.FromMilliseconds(50)).Dispose();

    [Fact]
    public async Task A_request_whose_commit_throws_gives_back_its_slot_and_permit()
    {
        using var channel = new TestChannel("rr");
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16));
        using SharedClient<AddRequest, AddResponse> client = await ManualServing.ConnectAsync(server, channel);

        // The commit of each request's record throws, after its slot was taken: on the send-now path and through a claim.
        var failure = new InvalidOperationException("the commit failed");
        using (ProtocolPoint.OnThisThread(point =>
        {
            if (point == ProtocolPoint.RequestBegun)
            {
                throw failure;
            }
        }))
        {
            Assert.Same(failure, Assert.Throws<InvalidOperationException>(() => { _ = client.RequestAsync(new AddRequest { A = 1 }, ManualServing.Generous); }));
            Assert.Same(failure, SendThroughClaim(client));
        }

        Assert.Equal(SharedClient<AddRequest, AddResponse>.MaxInFlight, client.FreeSlots);

        // Neither record reached the server; the next request does, and is answered.
        Task<AddResponse> next = Task.Run(() => client.RequestAsync(new AddRequest { A = 3 }, ManualServing.Generous).AsTask());
        using (IncomingRequest<AddRequest, AddResponse> three = await ManualServing.ReadOneAsync(server))
        {
            Assert.Equal(3, three.Message.A);
            Assert.True(three.TryReply(new AddResponse { Sum = 3 }));
        }

        Assert.Equal(3, (await next.WaitAsync(ManualServing.Generous)).Sum);
    }

    private static Exception? SendThroughClaim(SharedClient<AddRequest, AddResponse> client)
    {
        RequestClaim<AddRequest, AddResponse> claim = client.ClaimRequest(Unsafe.SizeOf<AddRequest>(), ManualServing.Generous);
        MemoryMarshal.Write(claim.Payload, new AddRequest { A = 2 });
        try
        {
            claim.Send(ManualServing.Generous).Dispose();
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
        finally
        {
            claim.Dispose();
        }
    }

    private sealed class Owner : IPendingOwner
    {
        public string Name => "slot-reuse";

        public int Parked { get; private set; }

        public void ParkedChanged(int delta) => Parked += delta;

        public void GiveBack(int index)
        {
        }

        public void Answered()
        {
        }

        public SpareResponseBuffer Spare { get; } = new();
    }
}
