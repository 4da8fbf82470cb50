using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Ring;
using NeoBuffer.Testing;
using NeoBuffer.TestHost.Messages;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// A server serves a connect record only from the client whose response ring it names: a hostile process that writes a
/// connect record naming a victim's ring (found in the directory) is refused and counted, and the victim connects.
/// </summary>
public sealed class ReplyRingOwnershipTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task A_connect_record_naming_another_clients_response_ring_is_refused_and_that_client_connects()
    {
        using var channel = new TestChannel("rr");
        using var serving = new CancellationTokenSource();
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16));
        Task serve = Task.Run(() => server.ServeAsync(AddAnswer.Answer, serving.Token));

        // The victim has created its response ring and is about to claim room for its connect record (the first MPSC
        // claim on this thread): there, a hostile child writes its own connect record naming the victim's ring, so
        // the server reads the hostile record first.
        int hostileRecords = 0;
        string? hostileOutput = null;
        ValueTask<SharedClient<AddRequest, AddResponse>> connecting;
        using (ProtocolPoint.OnThisThread(point =>
        {
            if (point != ProtocolPoint.MpscAnnounced || hostileRecords++ != 0)
            {
                return;
            }

            string reply = Path.GetFileName(Directory.GetFiles(channel.Directory, $"neobuffer.{channel.Name}.reply-*").Single())["neobuffer.".Length..];
            using ChildProcess hostile = ChildProcess.Start("hostile-connect", channel.Directory, channel.Name, reply);
            int exit = hostile.ExitCodeAsync(Generous).GetAwaiter().GetResult();
            hostileOutput = $"exit {exit}: {hostile.Output}";
        }))
        {
            connecting = SharedChannel.ConnectAsync<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16), TimeSpan.FromSeconds(20));
        }

        using SharedClient<AddRequest, AddResponse> victim = await connecting;
        Assert.StartsWith("exit 0", hostileOutput);
        Assert.Contains("sent", hostileOutput);
        Assert.Equal(5, (await victim.RequestAsync(new AddRequest { A = 2, B = 3 }, Generous)).Sum);
        Assert.Equal(1, server.RefusedConnections);
        Assert.Equal(1, server.ClientCount);

        // Its name is 128 random bits: no pid or counter a peer could compute ahead and create first.
        string name = Path.GetFileName(Directory.GetFiles(channel.Directory, $"neobuffer.{channel.Name}.reply-*").Single());
        Assert.Matches("reply-[0-9a-f]{32}$", name);

        serving.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => serve.WaitAsync(Generous));
    }
}
