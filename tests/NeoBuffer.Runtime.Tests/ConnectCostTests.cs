using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Requests;
using NeoBuffer.Testing;
using NeoBuffer.TestHost.Messages;
using static NeoBuffer.Runtime.Tests.ManualServing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// What a connect record costs a server, whoever sends it: no pass over the directory, and an id that never collides
/// with a connected client's, however many connects came before.
/// </summary>
public sealed class ConnectCostTests
{
    [Fact]
    public async Task A_connect_record_naming_no_ring_is_refused_without_sweeping_the_directory()
    {
        using var channel = new TestChannel("cc");
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16));
        using SharedChannelWriter requests = SharedChannel.OpenWriter(channel.Name, channel.Options(), ServiceSchema<AddRequest, AddResponse>.Layout);

        // A stale segment in the directory, made after the opens above (each of which swept).
        using var stale = new TestChannel("cc-stale", neighbour: channel);
        using (ChildProcess owner = ChildProcess.Start("create-and-hang", stale.Directory, stale.Name))
        {
            Assert.Equal("created", await owner.FirstLineAsync(Generous));
            owner.Kill();
            await owner.ExitCodeAsync(Generous);
        }

        Assert.Contains(SharedChannel.List(channel.Directory), c => c.Name == stale.Name && c.IsStale);

        byte[] name = Encoding.UTF8.GetBytes(channel.Name + ".reply-" + new string('0', 32));
        Assert.True(requests.TryClaim(RequestEnvelope.Size + name.Length, out WriteClaim claim));
        var envelope = new RequestEnvelope { Kind = RequestKind.Connect, Token = 42 };
        MemoryMarshal.Write(claim.Payload, in envelope);
        name.CopyTo(claim.Payload[RequestEnvelope.Size..]);
        claim.Commit();

        await Poll.UntilAsync(() => { Assert.False(server.TryRead(out _)); return server.RefusedConnections == 1; }, Generous, "the refusal");
        Assert.True(File.Exists(stale.SegmentPath), "the server swept the directory for a peer's connect record");
    }

    [Fact]
    public async Task Once_client_ids_wrap_a_new_client_gets_one_no_connected_client_holds()
    {
        using var channel = new TestChannel("ids");
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16));
        using SharedClient<AddRequest, AddResponse> first = await ConnectAsync(server, channel);
        Assert.Equal(1, first.ClientId);

        // As after 2^32 connects: the count is back at 0, with client 1 still connected.
        typeof(SharedServer<AddRequest, AddResponse>).GetField("_nextClientId", BindingFlags.NonPublic | BindingFlags.Instance)!.SetValue(server, 0);
        using SharedClient<AddRequest, AddResponse> second = await ConnectAsync(server, channel);
        Assert.Equal(2, second.ClientId);

        typeof(SharedServer<AddRequest, AddResponse>).GetField("_nextClientId", BindingFlags.NonPublic | BindingFlags.Instance)!.SetValue(server, -1);
        using SharedClient<AddRequest, AddResponse> third = await ConnectAsync(server, channel);
        Assert.Equal(3, third.ClientId); // neither 0 (a connect record's) nor 1 or 2 (connected)
        Assert.Equal(3, server.ClientCount);

        using var serving = new CancellationTokenSource();
        Task serve = Task.Run(() => server.ServeAsync(AddAnswer.Answer, serving.Token));
        foreach ((SharedClient<AddRequest, AddResponse> client, int a) in new[] { (first, 1), (second, 2), (third, 3) })
        {
            Assert.Equal(a + 10, (await client.RequestAsync(new AddRequest { A = a, B = 10 }, Generous)).Sum);
        }

        serving.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => serve.WaitAsync(Generous));
    }
}
