using System;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using NeoBuffer.Interop;

namespace NeoBuffer.Sealed;

/// <summary>
/// The Unix domain socket operations of the sealed handover, each turning errno into an exception that says what to
/// do: listen, connect, peer credentials, and messages carrying descriptors (the sealed handover and handle passing).
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
    public static bool WaitReadable(int fd, TimeSpan timeout, CancellationToken cancellationToken) =>
        WaitFor([fd], LibC.POLLIN, timeout, cancellationToken);

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
        ReadOnlySpan<int> descriptors = descriptor >= 0 ? [descriptor] : [];
        while (true)
        {
            // MSG_NOSIGNAL: a peer that hung up must cost this server an error, not a SIGPIPE.
            nint sent = SendMessage(socket, payload, descriptors, 0, out int errno);
            if (sent == payload.Length)
            {
                return;
            }

            if (sent < 0 && errno == LibC.EINTR)
            {
                continue;
            }

            throw new SharedChannelException(sent < 0 ? $"Cannot send to a peer: {LibC.Describe(errno)}." : "A peer's socket took only part of a handover message.");
        }
    }

    /// <summary>
    /// One sendmsg(2) of <paramref name="payload"/> with <paramref name="descriptors"/> attached (SCM_RIGHTS), always
    /// with MSG_NOSIGNAL plus <paramref name="flags"/>: the bytes sent, or -1 with <paramref name="errno"/> set.
    /// </summary>
    public static nint SendMessage(int socket, ReadOnlySpan<byte> payload, ReadOnlySpan<int> descriptors, int flags, out int errno)
    {
        int space = descriptors.IsEmpty ? 0 : LibC.CMsgSpace(descriptors.Length * sizeof(int));
        byte* control = stackalloc byte[Math.Max(space, 1)];
        fixed (byte* data = payload)
        {
            var iov = new LibC.IoVec { Base = data, Length = (nuint)payload.Length };
            var message = new LibC.MsgHdr { Iov = &iov, IovLength = 1 };
            if (!descriptors.IsEmpty)
            {
                new Span<byte>(control, space).Clear();
                var header = (LibC.CMsgHdr*)control;
                header->Length = (nuint)LibC.CMsgLength(descriptors.Length * sizeof(int));
                header->Level = LibC.SOL_SOCKET;
                header->Type = LibC.SCM_RIGHTS;
                descriptors.CopyTo(new Span<int>(control + sizeof(LibC.CMsgHdr), descriptors.Length));
                message.Control = control;
                message.ControlLength = (nuint)space;
            }

            nint sent = LibC.SendMsg(socket, &message, LibC.MSG_NOSIGNAL | flags);
            errno = sent < 0 ? Marshal.GetLastSystemError() : 0;
            return sent;
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
        Span<int> descriptors = stackalloc int[8];
        nint received;
        int count;
        while ((received = ReceiveMessage(socket, buffer, descriptors, 0, out count, out _, out int errno)) < 0 && errno == LibC.EINTR)
        {
        }

        if (received < 0)
        {
            throw new SharedChannelException($"Cannot receive from the server: {LibC.Describe(Marshal.GetLastSystemError())}.");
        }

        for (int i = 0; i < count; i++)
        {
            if (descriptor < 0)
            {
                descriptor = descriptors[i];
            }
            else
            {
                LibC.Close(descriptors[i]);
            }
        }

        return (int)received;
    }

    /// <summary>
    /// One recvmsg(2) with MSG_CMSG_CLOEXEC plus <paramref name="flags"/>, with control space for exactly
    /// <paramref name="descriptors"/>.Length descriptors: the bytes received (0: the peer closed), or -1 with
    /// <paramref name="errno"/> set. Every descriptor the kernel installed is in <paramref name="descriptors"/> (the
    /// first <paramref name="count"/>), and the caller owns them from here, whatever else goes wrong; descriptors that
    /// did not fit were closed by the kernel, which reports that as MSG_CTRUNC in <paramref name="messageFlags"/>.
    /// </summary>
    public static nint ReceiveMessage(int socket, Span<byte> buffer, Span<int> descriptors, int flags, out int count, out int messageFlags, out int errno)
    {
        count = 0;
        messageFlags = 0;
        int space = LibC.CMsgSpace(descriptors.Length * sizeof(int));
        byte* control = stackalloc byte[space];
        new Span<byte>(control, space).Clear();
        fixed (byte* data = buffer)
        {
            var iov = new LibC.IoVec { Base = data, Length = (nuint)buffer.Length };
            var message = new LibC.MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = (nuint)space };
            nint received = LibC.RecvMsg(socket, &message, LibC.MSG_CMSG_CLOEXEC | flags);
            if (received < 0)
            {
                errno = Marshal.GetLastSystemError();
                return received;
            }

            errno = 0;
            messageFlags = message.Flags;

            // Walk every control message the kernel delivered: all of them are descriptors now open in this process.
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
                    int n = (int)((length - sizeof(LibC.CMsgHdr)) / sizeof(int));
                    int* fds = (int*)(control + offset + sizeof(LibC.CMsgHdr));
                    for (int i = 0; i < n; i++)
                    {
                        if (count < descriptors.Length)
                        {
                            descriptors[count++] = fds[i];
                        }
                        else
                        {
                            LibC.Close(fds[i]); // cannot happen with the space sized above; never leak one if it does
                        }
                    }
                }

                offset += (length + 7) & ~7L;
            }

            return received;
        }
    }

    /// <summary>
    /// Binds a non-blocking listening sequenced-packet socket at <paramref name="abstractName"/> in the abstract
    /// namespace (no file: it goes away with the socket, however the process ends); -1 with <paramref name="errno"/>
    /// when the bind fails (EADDRINUSE: another socket holds the name).
    /// </summary>
    public static int ListenAbstract(string abstractName, out int errno)
    {
        LibC.SockAddrUnix address = AbstractAddressOf(abstractName, out uint length);
        int fd = NewSocket(LibC.SOCK_SEQPACKET | LibC.SOCK_NONBLOCK);
        if (LibC.Bind(fd, &address, length) != 0 || LibC.Listen(fd, 64) != 0)
        {
            errno = Marshal.GetLastSystemError();
            LibC.Close(fd);
            return -1;
        }

        errno = 0;
        return fd;
    }

    /// <summary>Connects a non-blocking sequenced-packet socket to <paramref name="abstractName"/>; -1 with <paramref name="errno"/> when that fails.</summary>
    public static int ConnectAbstract(string abstractName, out int errno)
    {
        LibC.SockAddrUnix address = AbstractAddressOf(abstractName, out uint length);
        int fd = NewSocket(LibC.SOCK_SEQPACKET | LibC.SOCK_NONBLOCK);
        // A Unix socket's connect completes at once (or fails with EAGAIN when the backlog is full): never EINPROGRESS.
        if (LibC.Connect(fd, &address, length) != 0)
        {
            errno = Marshal.GetLastSystemError();
            LibC.Close(fd);
            return -1;
        }

        errno = 0;
        return fd;
    }

    /// <summary>Waits until <paramref name="fd"/> can take a message; false when <paramref name="timeout"/> passes first.</summary>
    public static bool WaitWritable(int fd, TimeSpan timeout, CancellationToken cancellationToken) =>
        WaitFor([fd], LibC.POLLOUT, timeout, cancellationToken);

    /// <summary>
    /// Waits until any of <paramref name="fds"/> is readable (or hung up); false when <paramref name="timeout"/>
    /// passes first.
    /// </summary>
    public static bool WaitAnyReadable(ReadOnlySpan<int> fds, TimeSpan timeout, CancellationToken cancellationToken) =>
        WaitFor(fds, LibC.POLLIN, timeout, cancellationToken);

    // poll(2) in slices of at most WaitSliceMs, so the token is re-checked while nothing happens.
    private static bool WaitFor(ReadOnlySpan<int> fds, short events, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        LibC.PollFd* polls = stackalloc LibC.PollFd[fds.Length];
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

            for (int i = 0; i < fds.Length; i++)
            {
                polls[i] = new LibC.PollFd { Fd = fds[i], Events = events };
            }

            int ready = LibC.Poll(polls, (nuint)fds.Length, slice);
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

    private static LibC.SockAddrUnix AbstractAddressOf(string name, out uint length)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(name);
        if (bytes.Length == 0 || bytes.Length >= LibC.SockAddrUnix.PathCapacity)
        {
            throw new ArgumentException($"An abstract socket name must be 1 to {LibC.SockAddrUnix.PathCapacity - 1} bytes; '{name}' is {bytes.Length}.", nameof(name));
        }

        // A leading NUL puts the name in the abstract namespace; its length, not a terminator, ends it.
        var address = new LibC.SockAddrUnix { Family = LibC.AF_UNIX };
        bytes.CopyTo(new Span<byte>(address.Path + 1, LibC.SockAddrUnix.PathCapacity - 1));
        length = (uint)(sizeof(ushort) + 1 + bytes.Length);
        return address;
    }

    private static int NewSocket(int type = LibC.SOCK_STREAM)
    {
        int fd = LibC.Socket(LibC.AF_UNIX, type | LibC.SOCK_CLOEXEC, 0);
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
