using System;
using NeoBuffer.Interop;
using NeoBuffer.Sealed;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// The kernel behaviour handle passing relies on (docs/format.md, "Handle passing"), checked on the running kernel
/// over a sequenced-packet pair like the one a sender and receiver use.
/// </summary>
public sealed class HandleKernelFactsTests : IDisposable
{
    private const int FD_CLOEXEC = 1;
    private const int F_GETFD = 1;
    private readonly int _listening;
    private readonly int _client;
    private int _server;

    public unsafe HandleKernelFactsTests()
    {
        string name = $"neobuffer.tests.kernel-facts.{Environment.ProcessId}.{Guid.NewGuid():N}";
        _listening = UnixSocket.ListenAbstract(name, out int errno);
        Assert.True(_listening >= 0, LibC.Describe(errno));
        _client = UnixSocket.ConnectAbstract(name, out errno);
        Assert.True(_client >= 0, LibC.Describe(errno));
        _server = LibC.Accept4(_listening, null, null, LibC.SOCK_CLOEXEC | LibC.SOCK_NONBLOCK);
        Assert.True(_server >= 0);
    }

    [Fact]
    public void Descriptors_beyond_the_control_space_are_not_installed_but_closed_and_flagged_MSG_CTRUNC()
    {
        using var probe = new HandleProbe();
        int writeEnd = (int)probe.WriteEnd.DangerousGetHandle();
        Assert.Equal(1, (int)UnixSocket.SendMessage(_client, "x"u8, [writeEnd, writeEnd, writeEnd, writeEnd], 0, out _));
        probe.DropLocalWriteEnd();

        Span<int> room = stackalloc int[2];
        nint received = UnixSocket.ReceiveMessage(_server, stackalloc byte[8], room, LibC.MSG_DONTWAIT, out int count, out int flags, out _);
        Assert.Equal(1, (int)received);
        Assert.Equal(2, count);
        Assert.True((flags & LibC.MSG_CTRUNC) != 0, "MSG_CTRUNC reports the descriptors that did not fit");
        Assert.False(probe.IsClosedEverywhere(TimeSpan.Zero), "the two installed copies are open in this process");
        LibC.Close(room[0]);
        LibC.Close(room[1]);
        Assert.True(probe.IsClosedEverywhere(TimeSpan.FromSeconds(10)), "the kernel closed the two that did not fit");
    }

    [Fact]
    public void Received_descriptors_are_installed_by_the_receive_itself_close_on_exec_whatever_the_receiver_does_next()
    {
        using var probe = new HandleProbe();
        Assert.Equal(1, (int)UnixSocket.SendMessage(_client, "x"u8, [(int)probe.WriteEnd.DangerousGetHandle()], 0, out _));
        probe.DropLocalWriteEnd();

        Span<int> room = stackalloc int[4];
        UnixSocket.ReceiveMessage(_server, stackalloc byte[8], room, LibC.MSG_DONTWAIT, out int count, out _, out _);
        Assert.Equal(1, count);
        Assert.Equal(FD_CLOEXEC, LibC.FcntlInt(room[0], F_GETFD, 0)); // MSG_CMSG_CLOEXEC: no child inherits it
        Assert.False(probe.IsClosedEverywhere(TimeSpan.Zero), "installed: the receiver owns it now and must close it on every path");
        LibC.Close(room[0]);
        Assert.True(probe.IsClosedEverywhere(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Closing_a_socket_with_descriptors_still_queued_closes_them()
    {
        using var probe = new HandleProbe();
        Assert.Equal(1, (int)UnixSocket.SendMessage(_client, "x"u8, [(int)probe.WriteEnd.DangerousGetHandle()], 0, out _));
        probe.DropLocalWriteEnd();
        Assert.False(probe.IsClosedEverywhere(TimeSpan.Zero), "in flight, the socket holds it");

        LibC.Close(_server);
        _server = -1;
        Assert.True(probe.IsClosedEverywhere(TimeSpan.FromSeconds(10)), "the queued descriptor went with the receiving socket");
    }

    public void Dispose()
    {
        LibC.Close(_listening);
        LibC.Close(_client);
        if (_server >= 0)
        {
            LibC.Close(_server);
        }
    }
}
