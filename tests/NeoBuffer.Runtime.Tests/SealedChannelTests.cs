using System;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Interop;
using NeoBuffer.Sealed;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// Untrusted mode: a sealed memfd handed over a Unix socket to peers a credential policy accepts
/// (docs/security.md). Children receive it for real; a fake server checks the client refuses unsealed memory.
/// </summary>
public sealed class SealedChannelTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(2);

    [Theory]
    [InlineData(ChannelTopology.SingleProducerSingleConsumer)]
    [InlineData(ChannelTopology.Broadcast)]
    public async Task A_child_receives_the_sealed_segment_over_the_socket_and_reads_every_record(ChannelTopology topology)
    {
        // Broadcast: the child is a subscriber whose ring data is mapped PROT_READ; any write it made there would
        // kill it with SIGSEGV, so a clean exit also proves subscribers never write the ring.
        const int count = 50_000, maxLength = 1024;
        using var channel = new TestChannel("sealed");
        SharedChannelOptions options = channel.Options(1 << 16, maxLength);
        options.Topology = topology;
        using SealedChannelServer server = SharedChannel.CreateSealedWriter(channel.Name, SocketPath(channel), OwnUid, options);
        using ChildProcess reader = ChildProcess.Start("sealed-read", server.SocketPath, maxLength.ToString());
        Assert.Equal("ready", await reader.FirstLineAsync(Generous));

        await Task.Run(() => WriteSequenced(server.Writer, 0, count, maxLength));
        server.Writer.Complete();

        Assert.True(await reader.ExitCodeAsync(Generous) == 0, reader.Output);
        Assert.Contains($"received={count}", reader.Output);
        Assert.Equal(1, server.AcceptedPeers);
        Assert.False(File.Exists(channel.SegmentPath), "a sealed channel has no file in the directory");
    }

    [Fact]
    public async Task A_peer_that_truncates_the_received_memfd_gets_EPERM_and_the_writer_goes_on()
    {
        const int maxLength = 1024;
        using var channel = new TestChannel("sealed");
        using var work = new BoundedWork();
        SealedChannelServer server = work.Uses(SharedChannel.CreateSealedWriter(channel.Name, SocketPath(channel), OwnUid, channel.Options(1 << 14, maxLength)));
        using (ChildProcess hostile = ChildProcess.Start("sealed-truncate", server.SocketPath))
        {
            Assert.True(await hostile.ExitCodeAsync(Generous) == 0, hostile.Output);
            Assert.Contains("shrink=EPERM grow=EPERM seal=EPERM", hostile.Output);
        }

        // Every page of the ring is still there: write through it several times over (a truncated segment would SIGBUS here).
        SharedChannelReader reader = work.Uses(SharedChannel.OpenSealedReader(server.SocketPath, null, Generous));
        const int count = 200;
        Task writing = work.Start(() => WriteSequenced(server.Writer, 0, count, maxLength));
        long expected = 0;
        var deadline = Deadline.In(Generous, $"reading {count} records");
        while (expected < count && reader.WaitToRead(deadline.Remaining))
        {
            while (reader.TryLease(out ReadLease lease))
            {
                using (lease)
                {
                    string? error = SequencedRecord.Verify(lease.Payload, expected, maxLength);
                    Assert.True(error is null, error);
                }

                expected++;
            }
        }

        await BoundedWork.Within(writing, Generous, "the writer");
        Assert.Equal(count, expected);
    }

    [Fact]
    public void A_peer_the_policy_refuses_gets_a_clear_error_and_the_server_goes_on()
    {
        using var channel = new TestChannel("sealed");
        uint acceptedUid = LibC.GetEUid() + 1;
        PeerCredentials? seen = null;
        using SealedChannelServer server = SharedChannel.CreateSealedWriter(channel.Name, SocketPath(channel), peer =>
        {
            seen = peer;
            return peer.Uid == acceptedUid;
        }, channel.Options());

        var refused = Assert.Throws<SharedChannelException>(() => SharedChannel.OpenSealedReader(server.SocketPath, null, Generous));
        Assert.Contains("refused this process", refused.Message);
        Assert.Contains("credential policy", refused.Message);
        Assert.Equal(new PeerCredentials(Environment.ProcessId, LibC.GetEUid(), LibC.GetEGid()), seen);
        Assert.Equal(1, server.RefusedPeers);

        // The server survived the refusal: once the policy accepts us, the next connection gets the channel.
        acceptedUid = LibC.GetEUid();
        using SharedChannelReader reader = SharedChannel.OpenSealedReader(server.SocketPath, null, Generous);
        server.Writer.Write("after refusal"u8);
        Assert.True(reader.WaitToRead(Generous));
        Assert.True(reader.TryLease(out ReadLease lease));
        using (lease)
        {
            Assert.Equal("after refusal", Encoding.UTF8.GetString(lease.Payload));
        }

        Assert.Equal(1, server.AcceptedPeers);
    }

    [Fact]
    public void A_policy_that_throws_refuses_the_peer_and_the_server_goes_on()
    {
        using var channel = new TestChannel("sealed");
        int calls = 0;
        using SealedChannelServer server = SharedChannel.CreateSealedWriter(channel.Name, SocketPath(channel),
            _ => Interlocked.Increment(ref calls) == 1 ? throw new InvalidOperationException("policy bug") : true, channel.Options());

        Assert.Throws<SharedChannelException>(() => SharedChannel.OpenSealedReader(server.SocketPath, null, Generous));
        using SharedChannelReader reader = SharedChannel.OpenSealedReader(server.SocketPath, null, Generous);
        Assert.Equal(1, server.RefusedPeers);
        Assert.Equal(1, server.AcceptedPeers);
    }

    [Fact]
    public void Each_receiver_holds_locks_of_its_own_so_roles_still_exclude_each_other()
    {
        // Descriptors passed over a socket share the sender's open file description, and with it its OFD locks. Both
        // sides reopen the memfd, so a second SPSC reader finds the first one's row taken, as with a file segment.
        using var channel = new TestChannel("sealed");
        using SealedChannelServer server = SharedChannel.CreateSealedWriter(channel.Name, SocketPath(channel), OwnUid, channel.Options());
        using SharedChannelReader first = SharedChannel.OpenSealedReader(server.SocketPath, null, Generous);
        Assert.Throws<ChannelRoleTakenException>(() => SharedChannel.OpenSealedReader(server.SocketPath, null, Generous));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(LibC.F_SEAL_SHRINK | LibC.F_SEAL_GROW)]
    [InlineData(LibC.F_SEAL_SHRINK | LibC.F_SEAL_SEAL)]
    public async Task A_server_that_offers_an_unsealed_segment_is_refused(int seals)
    {
        using var channel = new TestChannel("fake");
        string socketPath = SocketPath(channel);
        int memfd = LibC.MemfdCreate("fake", LibC.MFD_CLOEXEC | LibC.MFD_ALLOW_SEALING);
        Assert.True(memfd >= 0);
        int listening = UnixSocket.Listen(socketPath);
        try
        {
            Assert.Equal(0, LibC.FTruncate(memfd, 1 << 20));
            Assert.Equal(0, seals == 0 ? 0 : LibC.FcntlInt(memfd, LibC.F_ADD_SEALS, seals));

            // A fake server: answers one peer with "accepted" and a memfd that lacks some of the required seals.
            Task serving = Task.Run(() =>
            {
                Assert.True(UnixSocket.WaitReadable(listening, Generous, CancellationToken.None));
                int connection = UnixSocket.Accept(listening);
                try
                {
                    UnixSocket.Send(connection, Encoding.UTF8.GetBytes("A" + channel.Name), memfd);
                }
                finally
                {
                    LibC.Close(connection);
                }
            });

            var refused = Assert.Throws<SharedChannelException>(() => SharedChannel.OpenSealedReader(socketPath, null, Generous));
            Assert.Contains("unsealed segment", refused.Message);
            await serving;
        }
        finally
        {
            LibC.Close(listening);
            LibC.Close(memfd);
            LibC.Unlink(socketPath);
        }
    }

    [Fact]
    public void Connecting_where_no_server_listens_is_ChannelNotFound()
    {
        using var channel = new TestChannel("sealed");
        Assert.Throws<ChannelNotFoundException>(() => SharedChannel.OpenSealedReader(SocketPath(channel), null, Generous));
    }

    private static bool OwnUid(PeerCredentials peer) => peer.Uid == LibC.GetEUid();

    private static string SocketPath(TestChannel channel) => Path.Combine(channel.Directory, channel.Name + ".sock");

    private static void WriteSequenced(SharedChannelWriter writer, long first, long count, int maxLength)
    {
        for (long sequence = first; sequence < first + count; sequence++)
        {
            WriteClaim claim = writer.Claim(SequencedRecord.LengthOf(sequence, maxLength), Generous);
            SequencedRecord.Fill(claim.Payload, sequence);
            claim.Commit();
        }
    }
}
