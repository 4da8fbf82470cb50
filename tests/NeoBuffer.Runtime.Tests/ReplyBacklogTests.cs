using System;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Testing;
using NeoBuffer.TestHost.Messages;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// Replies that wait for a client that reads none: no more are kept than a client of this library can be owed. They
/// are counted by the timers they wait on, process-wide, so these tests run alone.
/// </summary>
[Collection(nameof(TimerCountCollection))]
public sealed class ReplyBacklogTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_client_that_sends_and_never_reads_has_no_more_replies_kept_waiting_than_a_client_has_requests_in_flight()
    {
        using var channel = new TestChannel("hc");
        await using var served = new ServedAddServer(channel, 1 << 20, AddAnswer.Answer);
        using SharedClient<AddRequest, AddResponse> honest = await served.ConnectAsync();
        served.Server.ReplyTimeout = TimeSpan.FromMinutes(2); // every reply kept waiting is still waiting when counted

        // Six thousand requests, none of whose answers is read: once its ring is full, each reply waits (for the
        // client's gate, or for room) up to the reply timeout, on a timer. A client made by the library never has more
        // than MaxInFlight requests pending, so no more replies than that are kept waiting for it: the rest are dropped
        // at once, each a TimeoutException to its handler.
        int timers = (int)Timer.ActiveCount;
        using ChildProcess hostile = await HostileChild.StartAsync(channel, "flood-unread", "6000");
        // The honest request is read after all six thousand (one ring, in order), and each reply that waits has taken
        // its timer before the serving loop reads on.
        Assert.Equal(9, (await honest.RequestAsync(new AddRequest { A = 4, B = 5 }, Bound)).Sum);
        long waiting = Timer.ActiveCount - timers;
        Assert.False(served.Serving.IsCompleted, $"The serving loop ended: {served.Serving.Exception?.GetBaseException()}");
        Assert.InRange(waiting, SharedClient<AddRequest, AddResponse>.MaxInFlight / 4, 2 * SharedClient<AddRequest, AddResponse>.MaxInFlight);
    }
}

/// <summary>Tests that count this process's active timers: they run alone, since any parallel test starts some.</summary>
[CollectionDefinition(nameof(TimerCountCollection), DisableParallelization = true)]
public sealed class TimerCountCollection
{
}
