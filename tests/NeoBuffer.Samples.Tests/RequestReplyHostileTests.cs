using System;
using System.Threading.Tasks;

namespace NeoBuffer.Samples.Tests;

/// <summary>
/// samples/RequestReply's server against hostile clients (test host children that speak the protocol by hand, with the
/// sample's own service schema, read from its request ring): it serves an honest client past them and still stops
/// cleanly on Ctrl+C.
/// </summary>
public sealed class RequestReplyHostileTests
{
    private const int SigInt = 2;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task The_server_serves_past_clients_that_break_or_lock_their_own_rings_and_stops_on_ctrl_c()
    {
        using var segments = new SegmentDirectory();
        using SampleProcess server = SampleProcess.Start("RequestReply", segments.Path, "server", "adder");
        await segments.WaitForChannelAsync("adder", Timeout);

        // One client stores an impossible read position in its own response ring and floods requests it never reads;
        // another keeps its ring file's lifecycle lock and names the ring in a connect record.
        using ChildProcess breaking = ChildProcess.Start("corrupt-own-ring", segments.Path, "adder");
        await breaking.WaitForLineAsync("sent", Timeout);
        using ChildProcess locking = ChildProcess.Start("lock-own-ring", segments.Path, "adder");
        await locking.WaitForLineAsync("sent", Timeout);

        using (SampleProcess client = SampleProcess.Start("RequestReply", segments.Path, "client", "adder", "--requests", "200"))
        {
            Assert.True(0 == await client.ExitCodeAsync(Timeout), client.Transcript);
            Assert.Single(client.OutputLines, line => line.StartsWith("result 200 ", StringComparison.Ordinal));
        }

        server.Signal(SigInt);
        Assert.True(0 == await server.ExitCodeAsync(Timeout), server.Transcript);
        Assert.Empty(server.ErrorLines);
    }
}
