using System.Runtime.InteropServices;

namespace NeoBuffer.Interop;

/// <summary>
/// Unix domain sockets, peer credentials and descriptor passing. The structs are the 64-bit Linux layouts (x86-64 and
/// arm64 share them), written out because the handover needs exact control over the ancillary data.
/// </summary>
internal static unsafe partial class LibC
{
    public const int AF_UNIX = 1;
    public const int SOCK_STREAM = 1;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int SOL_SOCKET = 1;
    public const int SO_PEERCRED = 17;
    public const int SCM_RIGHTS = 1;
    public const int MSG_NOSIGNAL = 0x4000;
    public const int MSG_CTRUNC = 0x8;
    public const int MSG_CMSG_CLOEXEC = 0x40000000;
    public const short POLLIN = 0x1;
    public const int ECONNREFUSED = 111;
    public const int EADDRINUSE = 98;

    /// <summary>struct sockaddr_un: a family and a NUL-terminated path of at most 107 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SockAddrUnix
    {
        public const int PathCapacity = 108;
        public ushort Family;
        public fixed byte Path[PathCapacity];
    }

    /// <summary>struct ucred, what SO_PEERCRED returns: the peer's credentials when it connected.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct UCred
    {
        public int Pid;
        public uint Uid;
        public uint Gid;
    }

    /// <summary>struct iovec.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    /// <summary>struct msghdr (56 bytes: the compiler pads after msg_namelen and msg_flags).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    /// <summary>struct cmsghdr; its data follows, aligned to 8 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct CMsgHdr
    {
        public nuint Length;
        public int Level;
        public int Type;
    }

    /// <summary>CMSG_LEN(n): header plus n data bytes.</summary>
    public static int CMsgLength(int dataBytes) => sizeof(CMsgHdr) + dataBytes;

    /// <summary>CMSG_SPACE(n): header plus n data bytes, rounded up to the 8-byte alignment.</summary>
    public static int CMsgSpace(int dataBytes) => sizeof(CMsgHdr) + ((dataBytes + 7) & ~7);

    /// <summary>struct pollfd.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short ReturnedEvents;
    }

    [LibraryImport(Library, EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport(Library, EntryPoint = "bind", SetLastError = true)]
    public static partial int Bind(int socket, SockAddrUnix* address, uint addressLength);

    [LibraryImport(Library, EntryPoint = "listen", SetLastError = true)]
    public static partial int Listen(int socket, int backlog);

    [LibraryImport(Library, EntryPoint = "accept4", SetLastError = true)]
    public static partial int Accept4(int socket, void* address, uint* addressLength, int flags);

    [LibraryImport(Library, EntryPoint = "connect", SetLastError = true)]
    public static partial int Connect(int socket, SockAddrUnix* address, uint addressLength);

    [LibraryImport(Library, EntryPoint = "getsockopt", SetLastError = true)]
    public static partial int GetSockOpt(int socket, int level, int option, void* value, uint* valueLength);

    [LibraryImport(Library, EntryPoint = "sendmsg", SetLastError = true)]
    public static partial nint SendMsg(int socket, MsgHdr* message, int flags);

    [LibraryImport(Library, EntryPoint = "recvmsg", SetLastError = true)]
    public static partial nint RecvMsg(int socket, MsgHdr* message, int flags);

    [LibraryImport(Library, EntryPoint = "geteuid")]
    public static partial uint GetEUid();

    [LibraryImport(Library, EntryPoint = "getegid")]
    public static partial uint GetEGid();

    [LibraryImport(Library, EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMs);
}
