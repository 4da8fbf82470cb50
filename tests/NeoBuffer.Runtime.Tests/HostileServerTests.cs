using System;
using System.Threading.Tasks;
using NeoBuffer.Testing;
using NeoBuffer.TestHost.Messages;
using static NeoBuffer.Runtime.Tests.ManualServing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// A process that creates the service's request ring is the client's server, and owns the client's response ring once
/// it opens it: it can write anything there, as fast as it likes. Whatever it writes, a client's waits end by their
/// own timeouts, with the documented exception.
/// </summary>
public sealed class HostileServerTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Connecting_to_a_server_that_floods_the_ring_and_never_acknowledges_times_out_in_time()
    {
        using var channel = new TestChannel("hs");
        using ChildProcess server = ChildProcess.Start("flooding-server", channel.Directory, channel.Name);
        await server.WaitForLineAsync("ready", Generous);

        Task<SharedClient<AddRequest, AddResponse>> connecting = Task.Run(async () =>
            await SharedChannel.ConnectAsync<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16), TimeSpan.FromSeconds(2)));
        TimeoutException timedOut = await Assert.ThrowsAsync<TimeoutException>(() => connecting.WaitAsync(Bound));
        Assert.Contains("did not accept the connection", timedOut.Message);
    }
}
