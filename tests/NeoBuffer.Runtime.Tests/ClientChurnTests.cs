using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using NeoBuffer.Testing;
using NeoBuffer.TestHost.Messages;
using static NeoBuffer.Runtime.Tests.ManualServing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// Clients that connect and die, over and over, while another keeps asking: the server (a real process) answers the
/// one that lives throughout, and once the dead are found keeps nothing of theirs: no descriptor or mapping of their
/// response rings, and their segments go with the next sweep.
/// </summary>
public sealed class ClientChurnTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Clients_connecting_and_dying_in_a_loop_leave_the_server_holding_nothing_of_theirs()
    {
        using var channel = new TestChannel("cc");
        using ChildProcess server = ChildProcess.StartReady("add-server", channel.Directory, channel.Name);
        using SharedClient<AddRequest, AddResponse> honest = await SharedChannel.ConnectAsync<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16), Generous);

        // Each dying client connects, keeps four requests in flight (some answered, some pending, some answers in its
        // ring) and is killed; three of them at once, twice over.
        for (int round = 0; round < 2; round++)
        {
            ChildProcess[] dying = ChildProcess.StartAllReady(ChildProgram.TestHost, "add-client",
                Enumerable.Range(0, 3).Select(_ => new object[] { channel.Directory, channel.Name, 1_000_000, 4 }).ToList());
            foreach (ChildProcess child in dying)
            {
                child.Kill();
                child.Dispose();
            }

            Assert.Equal(round + 2, (await honest.RequestAsync(new AddRequest { A = round, B = 2 }, Bound)).Sum);
        }

        // The server lets go of a dead client's ring within a second or so of being idle (or at the next connect).
        await Poll.UntilAsync(() => ReplyRingsHeldBy(server.Id) == 1, Bound, "the server to hold only the live client's ring");
        Assert.Equal(7, (await honest.RequestAsync(new AddRequest { A = 3, B = 4 }, Bound)).Sum);
        SharedChannel.RemoveStale(channel.Directory);
        Assert.Single(Directory.GetFiles(channel.Directory, $"neobuffer.{channel.Name}.reply-*"));
    }

    // The response rings a process has open or mapped (by descriptor, by mapping: both go when it lets go of one).
    private static int ReplyRingsHeldBy(int pid)
    {
        var held = new System.Collections.Generic.HashSet<string>();
        foreach (string fd in Directory.GetFiles($"/proc/{pid}/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is string target && target.Contains(".reply-", StringComparison.Ordinal))
                {
                    held.Add(target);
                }
            }
            catch (IOException)
            {
                // Closed meanwhile.
            }
        }

        foreach (string line in File.ReadLines($"/proc/{pid}/maps"))
        {
            int path = line.IndexOf('/');
            if (path >= 0 && line.Contains(".reply-", StringComparison.Ordinal))
            {
                held.Add(line[path..].Replace(" (deleted)", "", StringComparison.Ordinal));
            }
        }

        return held.Count;
    }
}
