using System;
using System.Linq;
using System.Threading.Tasks;

namespace NeoBuffer.Samples.Tests;

/// <summary>
/// samples/RequestReply as real processes: the demo (a server and four client processes) and its numbers; a client
/// whose server is killed, and a bad command line, each ending with one line and a documented exit code.
/// </summary>
public sealed class RequestReplyTests
{
    private const int SigKill = 9;
    private const int FirstClientRow = 1; // MPSC: row 0 is the reader's (the server), the rest its writers' (the clients)
    private const int ActiveRow = 2;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task The_demo_serves_four_client_processes_prints_its_numbers_and_leaves_no_segment()
    {
        using var segments = new SegmentDirectory();
        using SampleProcess demo = SampleProcess.Start("RequestReply", segments.Path, "--requests", "2000");
        Assert.True(0 == await demo.ExitCodeAsync(Timeout), demo.Transcript);
        string summary = Assert.Single(demo.OutputLines, line => line.StartsWith("4 clients x 2000 requests: ", StringComparison.Ordinal));
        Assert.Contains(" requests/s; round trip p50 ", summary);
        Assert.Contains(" us (the worst client's)", summary);
        Assert.Empty(demo.ErrorLines);
        Assert.Empty(segments.Files);
    }

    [Fact]
    public async Task A_client_whose_server_is_killed_says_so_in_one_line()
    {
        using var segments = new SegmentDirectory();
        using SampleProcess server = SampleProcess.Start("RequestReply", segments.Path, "server", "adder");
        await segments.WaitForChannelAsync("adder", Timeout);
        using SampleProcess client = SampleProcess.Start("RequestReply", segments.Path, "client", "adder", "--requests", "1000000000");
        using (var segment = new SegmentFile(segments.Path, "adder"))
        {
            // The client holds a writer row of the server's request ring: it connected (or is connecting), so the
            // server's death reaches it as a death, not as a channel that is gone.
            await Poll.UntilAsync(() => segment.RowState(FirstClientRow) == ActiveRow, Timeout, "the client to connect");
        }

        server.Signal(SigKill);

        string error = await CleanFailure.AssertAsync(client, expectedExitCode: 1, Timeout);
        Assert.StartsWith("client: ", error);
        Assert.Contains("died", error);
        Assert.DoesNotContain(segments.Files, f => f.Contains("adder.reply-", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("client")]
    [InlineData("client", "adder", "--requests", "many")]
    [InlineData("serve", "adder")]
    public async Task A_bad_command_line_prints_the_usage_and_exits_2(params string[] args)
    {
        using var segments = new SegmentDirectory();
        using SampleProcess sample = SampleProcess.Start("RequestReply", segments.Path, args);
        string error = await CleanFailure.AssertAsync(sample, expectedExitCode: 2, Timeout);
        Assert.StartsWith("usage: RequestReply", error);
    }
}
