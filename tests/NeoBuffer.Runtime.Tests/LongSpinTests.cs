using System;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Testing;
using NeoBuffer.TestHost.Messages;
using static NeoBuffer.Runtime.Tests.ManualServing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// The spins of the request path, each given a budget of about a minute (SpinCount int.MaxValue), so that a spin that
/// waited for its budget to run out would miss these tests' deadlines. A serving loop spins for the next request inside
/// its read, and stops at once when serving is cancelled or the server disposed; a client's caller spins with the
/// response ring's reading held (let go of around each yield), the answers of the client's other callers still
/// delivered meanwhile, and lets go when a Dispose fails its request, or its token or timeout ends it. A channel's own
/// waits spin the same way before they park, and end at their token and timeout too.
/// </summary>
public sealed class LongSpinTests
{
    // Far below the spin budget of int.MaxValue / 16 rounds (about 50 s at 0.4 us a round), far above what a loaded
    // machine needs to see a flag.
    private static readonly TimeSpan WellBeforeTheSpinEnds = TimeSpan.FromSeconds(20);

    // For a wait of 200 ms: generous under load, and far below even the shortest spin here (an async wait spins
    // SpinCount / 16 rounds: about a minute).
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_serving_loop_spinning_for_the_next_request_stops_as_soon_as_serving_is_cancelled()
    {
        using var channel = new TestChannel("ls");
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, LongSpin(channel));
        using var serving = new CancellationTokenSource();
        Task serve = Task.Run(() => server.ServeAsync(AddAnswer.Answer, serving.Token));
        using SharedClient<AddRequest, AddResponse> client = await SharedChannel.ConnectAsync<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16), Generous);
        Assert.Equal(5, (await client.RequestAsync(new AddRequest { A = 2, B = 3 }, Generous)).Sum);

        // Answered: the loop now spins for the next request.
        serving.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => serve.WaitAsync(WellBeforeTheSpinEnds));
    }

    [Fact]
    public async Task A_server_disposed_while_its_serving_loop_spins_ends_the_loop_and_fails_later_requests()
    {
        using var channel = new TestChannel("ls");
        SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, LongSpin(channel));
        Task serve = Task.Run(() => server.ServeAsync(AddAnswer.Answer));
        using SharedClient<AddRequest, AddResponse> client = await SharedChannel.ConnectAsync<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16), Generous);
        Assert.Equal(5, (await client.RequestAsync(new AddRequest { A = 2, B = 3 }, Generous)).Sum);

        server.Dispose();
        await Assert.ThrowsAnyAsync<ObjectDisposedException>(() => serve.WaitAsync(WellBeforeTheSpinEnds));
        await Assert.ThrowsAsync<System.Threading.Channels.ChannelClosedException>(async () => await client.RequestAsync(new AddRequest { A = 1, B = 1 }, Generous));
    }

    [Fact]
    public async Task A_caller_spinning_with_the_response_ring_does_not_keep_another_callers_answer_from_it()
    {
        using var channel = new TestChannel("ls");
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16));
        using SharedClient<AddRequest, AddResponse> client = await ConnectAsync(server, channel, LongSpin(channel));

        Task<AddResponse> first = Task.Factory.StartNew(() => client.Request(new AddRequest { A = 1, B = 2 }, Generous), TaskCreationOptions.LongRunning);
        IncomingRequest<AddRequest, AddResponse> firstAsked = await ReadOneAsync(server);
        await Poll.UntilAsync(() => client.ReadingHeld, Generous, "the first caller spinning with the ring");

        // The first caller keeps the ring while it spins (letting go of it only around each yield of the processor):
        // the second caller's answer comes through the first caller's drain, or through its own in such a moment.
        Task<AddResponse> second = Task.Factory.StartNew(() => client.Request(new AddRequest { A = 10, B = 20 }, Generous), TaskCreationOptions.LongRunning);
        IncomingRequest<AddRequest, AddResponse> secondAsked = await ReadOneAsync(server);
        Assert.True(secondAsked.TryReply(new AddResponse { Sum = secondAsked.Message.A + secondAsked.Message.B }));
        secondAsked.Dispose();

        Assert.Equal(30, (await second.WaitAsync(WellBeforeTheSpinEnds)).Sum);
        Assert.False(first.IsCompleted);

        Assert.True(firstAsked.TryReply(new AddResponse { Sum = firstAsked.Message.A + firstAsked.Message.B }));
        firstAsked.Dispose();
        Assert.Equal(3, (await first.WaitAsync(WellBeforeTheSpinEnds)).Sum);
        await Poll.UntilAsync(() => !client.ReadingHeld, Generous, "the ring let go of once the spin ended");
    }

    [Fact]
    public async Task A_client_disposed_while_a_caller_spins_with_the_response_ring_fails_that_caller_and_returns()
    {
        using var channel = new TestChannel("ls");
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16));
        SharedClient<AddRequest, AddResponse> client = await ConnectAsync(server, channel, LongSpin(channel));

        Task<AddResponse> unanswered = Task.Factory.StartNew(() => client.Request(new AddRequest { A = 1, B = 2 }, Generous), TaskCreationOptions.LongRunning);
        using IncomingRequest<AddRequest, AddResponse> asked = await ReadOneAsync(server);
        await Poll.UntilAsync(() => client.ReadingHeld, Generous, "the caller spinning with the ring");

        // Dispose waits for the ring's reading, which the spinning caller holds: it fails the caller's request first,
        // so the spin ends and lets go.
        Task disposing = Task.Run(client.Dispose);
        await disposing.WaitAsync(WellBeforeTheSpinEnds);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => unanswered.WaitAsync(WellBeforeTheSpinEnds));
    }

    [Fact]
    public async Task A_caller_spinning_for_its_answer_stops_as_soon_as_its_request_is_cancelled_or_out_of_time()
    {
        using var channel = new TestChannel("ls");
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16));
        using SharedClient<AddRequest, AddResponse> client = await ConnectAsync(server, channel, LongSpin(channel));

        // Nobody serves: each caller spins for an answer that never comes, until its token or its timeout ends the wait.
        using var cancelling = new CancellationTokenSource();
        Task<AddResponse> blocking = Task.Factory.StartNew(() => client.Request(new AddRequest { A = 1 }, Timeout.InfiniteTimeSpan, cancelling.Token), TaskCreationOptions.LongRunning);
        await Poll.UntilAsync(() => client.ReadingHeld, Generous, "the caller spinning with the ring");
        cancelling.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blocking.WaitAsync(WellBeforeTheSpinEnds));

        // (WaitAsync's own TimeoutException, at the test's bound, says "The operation has timed out.")
        Task<AddResponse> timed = Task.Factory.StartNew(() => client.Request(new AddRequest { A = 2 }, TimeSpan.FromMilliseconds(200)), TaskCreationOptions.LongRunning);
        Assert.Contains("within 200 ms", (await Assert.ThrowsAsync<TimeoutException>(() => timed.WaitAsync(Soon))).Message);

        // The async form spins on the caller's thread before it parks: the same bounds.
        Task<AddResponse> awaited = Task.Run(() => client.RequestAsync(new AddRequest { A = 3 }, TimeSpan.FromMilliseconds(200)).AsTask());
        TimeoutException late = await Assert.ThrowsAsync<TimeoutException>(() => awaited.WaitAsync(Soon));
        Assert.Contains("within 200 ms", late.Message);
    }

    [Fact]
    public async Task A_channel_wait_spinning_for_a_message_stops_at_its_timeout()
    {
        using var channel = new TestChannel("ls");
        using SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, LongSpin(channel));
        using SharedChannelWriter writer = SharedChannel.OpenWriter(channel.Name, channel.Options(1 << 16));

        // (WaitAsync's own TimeoutException, at the test's bound, says "The operation has timed out.")
        Task blocking = Task.Factory.StartNew(() => reader.WaitToRead(TimeSpan.FromMilliseconds(200)), TaskCreationOptions.LongRunning);
        Assert.Contains("within 200 ms", (await Assert.ThrowsAsync<TimeoutException>(() => blocking.WaitAsync(Soon))).Message);

        Task awaited = Task.Run(() => reader.WaitToReadAsync(TimeSpan.FromMilliseconds(200)).AsTask());
        Assert.Contains("within 200 ms", (await Assert.ThrowsAsync<TimeoutException>(() => awaited.WaitAsync(Soon))).Message);
    }

    private static SharedChannelOptions LongSpin(TestChannel channel)
    {
        SharedChannelOptions options = channel.Options(1 << 16);
        options.SpinCount = int.MaxValue;
        return options;
    }
}
