using System;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using NeoBuffer.Interop;

namespace NeoBuffer.Sealed;

/// <summary>
/// The Unix domain socket operations of the sealed handover, each turning errno into an exception that says what to
/// do: listen, connect, peer credentials, and one message carrying at most one descriptor.
/// </summary>
internal static unsafe class UnixSocket
{
    // A wait re-checks its cancellation token this often.
    private const int WaitSliceMs = 100;

    /// <summary>Binds a listening socket at <paramref name="path"/>, mode 0600; fails if the path exists.</summary>
    public static int Listen(string path)
    {
        LibC.SockAddrUnix address = AddressOf(path, out uint length);
        int fd = NewSocket();
        try
        {
            if (LibC.Bind(fd, &address, length) != 0)
            {
                int errno = Marshal.GetLastSystemError();
                throw errno == LibC.EADDRINUSE
                    ? new SharedChannelException($"Cannot serve a sealed channel at '{path}': the path exists. Remove it if no server uses it, or pick another path.")
                    : new SharedChannelException($"Cannot bind a socket at '{path}': {LibC.Describe(errno)}.");
            }

            // bind creates the file with the umask's mode; narrowing it before listen() leaves no window, since a
            // socket that does not listen yet refuses every connect.
            if (LibC.Chmod(path, 0x180 /* 0600 */) != 0 || LibC.Listen(fd, 16) != 0)
            {
                int errno = Marshal.GetLastSystemError();
                LibC.Unlink(path);
                throw new SharedChannelException($"Cannot listen at '{path}': {LibC.Describe(errno)}.");
            }

            return fd;
        }
        catch
        {
            LibC.Close(fd);
            throw;
        }
    }

    /// <summary>Accepts one pending connection (the caller has seen the listening socket readable); -1 if none is left.</summary>
    public static int Accept(int listening)
    {
        int fd = LibC.Accept4(listening, null, null, LibC.SOCK_CLOEXEC);
        return fd;
    }

    /// <summary>Connects to the server at <paramref name="path"/>.</summary>
    public static int Connect(string path)
    {
        LibC.SockAddrUnix address = AddressOf(path, out uint length);
        int fd = NewSocket();
        if (LibC.Connect(fd, &address, length) == 0)
        {
            return fd;
        }

        int errno = Marshal.GetLastSystemError();
        LibC.Close(fd);
        throw errno is LibC.ENOENT or LibC.ECONNREFUSED
            ? new ChannelNotFoundException($"No sealed channel is served at '{path}' ({LibC.Describe(errno)}). Start its writer first, or check the path.")
            : new SharedChannelException($"Cannot connect to '{path}': {LibC.Describe(errno)}.");
    }

    /// <summary>Waits until <paramref name="fd"/> is readable (or hung up); false when <paramref name="timeout"/> passes first.</summary>
    public static bool WaitReadable(int fd, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int slice = WaitSliceMs;
            if (timeout != Timeout.InfiniteTimeSpan)
            {
                TimeSpan left = timeout - clock.Elapsed;
                if (left <= TimeSpan.Zero)
                {
                    return false;
                }

                slice = (int)Math.Min(WaitSliceMs, Math.Ceiling(left.TotalMilliseconds));
            }

            var poll = new LibC.PollFd { Fd = fd, Events = LibC.POLLIN };
            int ready = LibC.Poll(&poll, 1, slice);
            if (ready > 0)
            {
                return true;
            }

            if (ready < 0 && Marshal.GetLastSystemError() != LibC.EINTR)
            {
                throw new SharedChannelException($"Cannot wait on a socket: {LibC.Describe(Marshal.GetLastSystemError())}.");
            }
        }
    }

    /// <summary>The credentials the kernel recorded for the other end of <paramref name="socket"/>.</summary>
    public static PeerCredentials PeerOf(int socket)
    {
        LibC.UCred credentials;
        uint length = (uint)sizeof(LibC.UCred);
        if (LibC.GetSockOpt(socket, LibC.SOL_SOCKET, LibC.SO_PEERCRED, &credentials, &length) != 0)
        {
            throw new SharedChannelException($"Cannot read a peer's credentials: {LibC.Describe(Marshal.GetLastSystemError())}.");
        }

        return new PeerCredentials(credentials.Pid, credentials.Uid, credentials.Gid);
    }

    /// <summary>Sends <paramref name="payload"/> in one message, with <paramref name="descriptor"/> attached unless it is -1.</summary>
    public static void Send(int socket, ReadOnlySpan<byte> payload, int descriptor)
    {
        int space = LibC.CMsgSpace(sizeof(int));
        byte* control = stackalloc byte[space];
        new Span<byte>(control, space).Clear();
        fixed (byte* data = payload)
        {
            var iov = new LibC.IoVec { Base = data, Length = (nuint)payload.Length };
            var message = new LibC.MsgHdr { Iov = &iov, IovLength = 1 };
            if (descriptor >= 0)
            {
                var header = (LibC.CMsgHdr*)control;
                header->Length = (nuint)LibC.CMsgLength(sizeof(int));
                header->Level = LibC.SOL_SOCKET;
                header->Type = LibC.SCM_RIGHTS;
                *(int*)(control + sizeof(LibC.CMsgHdr)) = descriptor;
                message.Control = control;
                message.ControlLength = (nuint)space;
            }

            while (true)
            {
                // MSG_NOSIGNAL: a peer that hung up must cost this server an error, not a SIGPIPE.
                nint sent = LibC.SendMsg(socket, &message, LibC.MSG_NOSIGNAL);
                if (sent == payload.Length)
                {
                    return;
                }

                int errno = Marshal.GetLastSystemError();
                if (sent < 0 && errno == LibC.EINTR)
                {
                    continue;
                }

                throw new SharedChannelException(sent < 0 ? $"Cannot send to a peer: {LibC.Describe(errno)}." : "A peer's socket took only part of a handover message.");
            }
        }
    }

    /// <summary>
    /// Receives one message into <paramref name="buffer"/>; returns its length (0: the peer closed) and the descriptor
    /// attached to it in <paramref name="descriptor"/>, or -1. Descriptors beyond the first are closed: a peer cannot
    /// make this process keep files it did not ask for.
    /// </summary>
    public static int Receive(int socket, Span<byte> buffer, out int descriptor)
    {
        descriptor = -1;
        // Room for a few descriptors, so that a sender attaching more than one has them all closed here, not leaked.
        int space = LibC.CMsgSpace(8 * sizeof(int));
        byte* control = stackalloc byte[space];
        new Span<byte>(control, space).Clear();
        fixed (byte* data = buffer)
        {
            var iov = new LibC.IoVec { Base = data, Length = (nuint)buffer.Length };
            var message = new LibC.MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = (nuint)space };
            nint received;
            while ((received = LibC.RecvMsg(socket, &message, LibC.MSG_CMSG_CLOEXEC)) < 0 && Marshal.GetLastSystemError() == LibC.EINTR)
            {
            }

            if (received < 0)
            {
                throw new SharedChannelException($"Cannot receive from the server: {LibC.Describe(Marshal.GetLastSystemError())}.");
            }

            // Walk every control message the kernel delivered, keeping the first descriptor and closing the rest.
            long offset = 0;
            long controlLength = Math.Min((long)message.ControlLength, space);
            while (offset + sizeof(LibC.CMsgHdr) <= controlLength)
            {
                var header = (LibC.CMsgHdr*)(control + offset);
                long length = (long)header->Length;
                if (length < sizeof(LibC.CMsgHdr) || offset + length > controlLength)
                {
                    break;
                }

                if (header->Level == LibC.SOL_SOCKET && header->Type == LibC.SCM_RIGHTS)
                {
                    int count = (int)((length - sizeof(LibC.CMsgHdr)) / sizeof(int));
                    int* fds = (int*)(control + offset + sizeof(LibC.CMsgHdr));
                    for (int i = 0; i < count; i++)
                    {
                        if (descriptor < 0)
                        {
                            descriptor = fds[i];
                        }
                        else
                        {
                            LibC.Close(fds[i]);
                        }
                    }
                }

                offset += (length + 7) & ~7L;
            }

            return (int)received;
        }
    }

    private static int NewSocket()
    {
        int fd = LibC.Socket(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            throw new SharedChannelException($"Cannot create a Unix socket: {LibC.Describe(Marshal.GetLastSystemError())}.");
        }

        return fd;
    }

    private static LibC.SockAddrUnix AddressOf(string path, out uint length)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(path);
        if (bytes.Length == 0 || bytes.Length >= LibC.SockAddrUnix.PathCapacity)
        {
            throw new ArgumentException($"A Unix socket path must be 1 to {LibC.SockAddrUnix.PathCapacity - 1} bytes; '{path}' is {bytes.Length}.", nameof(path));
        }

        var address = new LibC.SockAddrUnix { Family = LibC.AF_UNIX };
        bytes.CopyTo(new Span<byte>(address.Path, LibC.SockAddrUnix.PathCapacity));
        length = (uint)(sizeof(ushort) + bytes.Length + 1);
        return address;
    }
}
