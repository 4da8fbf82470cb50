using System;
using System.Globalization;
using System.IO;
using System.Threading.Tasks;
using NeoBuffer.Testing;
using NeoBuffer.TestHost.Messages;
using static NeoBuffer.Runtime.Tests.ManualServing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// A client creates its response ring and is its reader, so it can write anything into that ring's shared state and
/// take any lock on its file. What the server finds there when it opens the ring or replies (a read position no reader
/// publishes, a lock nobody lets go of) is that client's problem alone: the server refuses or lets go of the client in
/// a bounded time and goes on serving everyone else; nothing of it escapes the serving loop.
/// </summary>
public sealed class HostileClientRingTests
{
    // Far past the one second a held file lock is waited for, far below the suite's patience for a hang.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_client_that_corrupts_its_own_response_ring_is_dropped_and_the_server_serves_the_others()
    {
        using var channel = new TestChannel("hc");

        // The handler of samples/RequestReply: reply at once, or wait for room.
        await using var served = new ServedAddServer(channel, 1 << 16, request =>
        {
            AddRequest asked = request.Message;
            var answer = new AddResponse { Sum = asked.A + asked.B };
            return request.TryReply(answer) ? ValueTask.CompletedTask : request.ReplyAsync(answer);
        });
        using SharedClient<AddRequest, AddResponse> honest = await served.ConnectAsync();
        Assert.Equal(5, (await honest.RequestAsync(new AddRequest { A = 2, B = 3 }, Generous)).Sum);

        using ChildProcess hostile = await HostileChild.StartAsync(channel, "corrupt-own-ring");

        // The server replies to the hostile client until its ring looks full, then reads the impossible position: it
        // lets go of that client (alive, but no longer served), and its serving loop goes on.
        await Poll.UntilAsync(() => served.Serving.IsCompleted || served.Server.ClientCount == 1, Generous, "the hostile client let go of");
        Assert.False(served.Serving.IsCompleted, $"The serving loop ended: {served.Serving.Exception?.GetBaseException()}");
        Assert.Equal(9, (await honest.RequestAsync(new AddRequest { A = 4, B = 5 }, Generous)).Sum);
        Assert.False(hostile.HasExited, hostile.ErrorOutput);
    }

    [Fact]
    public async Task A_connect_naming_a_ring_whose_file_lock_its_owner_keeps_is_refused_and_nobody_else_waits_for_it()
    {
        using var channel = new TestChannel("hc");
        await using var served = new ServedAddServer(channel, 1 << 16, AddAnswer.Answer);
        using SharedClient<AddRequest, AddResponse> honest = await served.ConnectAsync();

        using ChildProcess hostile = await HostileChild.StartAsync(channel, "lock-own-ring");

        // The server, opening the ring the record names, waits a bounded time for the file's lifecycle lock, then
        // refuses the record; the honest client is served meanwhile or just after.
        await Poll.UntilAsync(() => served.Server.RefusedConnections == 1, Bound, "the connect record refused");
        Assert.Equal(9, (await honest.RequestAsync(new AddRequest { A = 4, B = 5 }, Bound)).Sum);

        // Connecting creates a response ring, which sweeps the directory first: the held file is passed over, not
        // waited for. (Run apart: before the sweep waited a bounded time, this call blocked its thread for good.)
        using SharedClient<AddRequest, AddResponse> late = await Task.Run(served.ConnectAsync).WaitAsync(Bound);
        Assert.Equal(11, (await late.RequestAsync(new AddRequest { A = 5, B = 6 }, Bound)).Sum);
        Assert.Equal(2, served.Server.ClientCount);
        Assert.False(hostile.HasExited, hostile.ErrorOutput);
    }

    [Fact]
    public async Task A_client_that_keeps_its_ring_files_lock_as_it_leaves_costs_the_server_a_bounded_wait()
    {
        using var channel = new TestChannel("hc");
        await using var served = new ServedAddServer(channel, 1 << 16, AddAnswer.Answer);
        using SharedClient<AddRequest, AddResponse> honest = await served.ConnectAsync();

        // Connected, then the lock taken and a disconnect sent: the server lets go of the ring (it detaches, which takes
        // that lock), waits a bounded time for it, and leaves as a crashed process would; it serves on.
        using ChildProcess hostile = await HostileChild.StartAsync(channel, "lock-own-ring", "connected");
        await Poll.UntilAsync(() => served.Server.ClientCount == 1, Bound, "the leaving client let go of");
        Assert.Equal(9, (await honest.RequestAsync(new AddRequest { A = 4, B = 5 }, Bound)).Sum);
        Assert.Equal(0, served.Server.RefusedConnections);
        Assert.False(hostile.HasExited, hostile.ErrorOutput);
    }

    [Fact]
    public async Task Connect_records_naming_a_file_that_is_no_finished_channel_are_refused_at_once()
    {
        using var channel = new TestChannel("hc");
        await using var served = new ServedAddServer(channel, 1 << 16, AddAnswer.Answer);
        using SharedClient<AddRequest, AddResponse> honest = await served.ConnectAsync();

        // Twenty records naming an empty file: each is refused as soon as the server has read the file's (missing)
        // header. Were each given time for a creator to finish it, the serving loop would stand still for all of them.
        const int Records = 20;
        using (ChildProcess hostile = ChildProcess.Start("name-unfinished-ring", channel.Directory, channel.Name, Records.ToString(CultureInfo.InvariantCulture)))
        {
            Assert.True(0 == await hostile.ExitCodeAsync(Generous), hostile.ErrorOutput);
        }

        await Poll.UntilAsync(() => served.Server.RefusedConnections == Records, Bound, "the connect records refused");
        Assert.Equal(9, (await honest.RequestAsync(new AddRequest { A = 4, B = 5 }, Bound)).Sum);
        Assert.Equal(1, served.Server.ClientCount);
    }

    [Fact]
    public async Task A_connect_naming_a_broadcast_channel_is_refused_so_nothing_is_held_once_its_maker_dies()
    {
        using var channel = new TestChannel("hc");
        await using var served = new ServedAddServer(channel, 1 << 16, AddAnswer.Answer);
        using SharedClient<AddRequest, AddResponse> honest = await served.ConnectAsync();

        // A broadcast channel of the service's schema, stamped with the record's token. Were it taken for a response
        // ring, the server would be its producer, which no dead subscriber ever fails: the server would never find its
        // maker dead, and would hold the channel for as long as it lives.
        using ChildProcess hostile = await HostileChild.StartAsync(channel, "connect-other-topology", nameof(ChannelTopology.Broadcast));
        await Poll.UntilAsync(() => served.Server.RefusedConnections + served.Server.ClientCount == 2, Bound, "the connect record served or refused");
        hostile.Kill();
        Assert.True(hostile.WaitExit(Bound));

        await Poll.UntilAsync(() => served.Server.ClientCount == 1, Bound, "nobody but the honest client served");
        Assert.Equal(1, served.Server.RefusedConnections);
        Assert.Equal(9, (await honest.RequestAsync(new AddRequest { A = 4, B = 5 }, Bound)).Sum);

        // Nobody holds the dead maker's channel: the next sweep removes it, and the honest client's ring is all that is left.
        SharedChannel.RemoveStale(channel.Directory);
        Assert.Single(Directory.GetFiles(channel.Directory, $"neobuffer.{channel.Name}.reply-*"));
    }

    [Fact]
    public async Task One_writer_connecting_many_rings_gets_no_more_clients_than_the_ring_has_writers()
    {
        using var channel = new TestChannel("hc");
        await using var served = new ServedAddServer(channel, 1 << 16, AddAnswer.Answer, maxProducers: 3);
        using SharedClient<AddRequest, AddResponse> honest = await served.ConnectAsync();

        // Ten connect records from one writer, each naming a ring of its own carrying its token: honest records, but
        // past MaxProducers clients each costs the server a descriptor and a mapping it keeps for as long as the
        // writer lives, however many there are. The server holds three clients at most (the writers the ring admits).
        using ChildProcess hostile = await HostileChild.StartAsync(channel, "connect-many", "10");
        await Poll.UntilAsync(() => served.Server.RefusedConnections + served.Server.ClientCount == 11, Bound, "the ten connect records served or refused");
        Assert.Equal(3, served.Server.ClientCount);
        Assert.Equal(8, served.Server.RefusedConnections);
        Assert.Equal(9, (await honest.RequestAsync(new AddRequest { A = 4, B = 5 }, Bound)).Sum);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(24)]
    [InlineData(40)]
    public async Task A_client_whose_ring_takes_only_short_messages_costs_the_server_only_its_own_answers(int longest)
    {
        using var channel = new TestChannel("hc");
        await using var served = new ServedAddServer(channel, 1 << 16, AddAnswer.Answer);
        using SharedClient<AddRequest, AddResponse> honest = await served.ConnectAsync();

        // A ring whose longest message is shorter than an envelope and an AddResponse (32 bytes) is no client's: refused
        // (8: not even an acknowledgement fits). One that takes a response but not every failure's reason (40) is
        // served, and a failure the server owes it (here for a request of a length no AddRequest has) is cut to fit.
        bool served40 = longest >= 32;
        using ChildProcess hostile = await HostileChild.StartAsync(channel, "connect-narrow-ring", longest.ToString(CultureInfo.InvariantCulture), served40 ? "ask" : "connect");
        await Poll.UntilAsync(() => served.Serving.IsCompleted || served.Server.RefusedConnections + served.Server.ClientCount == 2, Bound, "the connect record served or refused");
        Assert.False(served.Serving.IsCompleted, $"The serving loop ended: {served.Serving.Exception?.GetBaseException()}");
        Assert.Equal(served40 ? 0 : 1, served.Server.RefusedConnections);
        if (served40)
        {
            Assert.Contains($"failed {longest - 16}", hostile.Lines);
        }

        Assert.Equal(9, (await honest.RequestAsync(new AddRequest { A = 4, B = 5 }, Bound)).Sum);
        Assert.False(served.Serving.IsCompleted, $"The serving loop ended: {served.Serving.Exception?.GetBaseException()}");
    }
}
