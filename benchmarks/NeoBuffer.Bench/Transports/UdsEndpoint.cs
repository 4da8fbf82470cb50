using System.Net.Sockets;

namespace NeoBuffer.Bench.Transports;

/// <summary>
/// Unix domain stream sockets in the Linux abstract namespace (a name starting with NUL): no socket file is ever
/// created, so nothing is left in /tmp even when a run is killed. Buffers are set to the system's maximum
/// (net.core.wmem_max/rmem_max) to give the socket baseline its best case for large messages.
/// </summary>
internal static class UdsEndpoint
{
    private const int BufferBytes = 4 * 1024 * 1024;

    public static Socket Listen(string name)
    {
        Socket listener = NewSocket();
        listener.Bind(new UnixDomainSocketEndPoint("\0" + name));
        listener.Listen(1);
        return listener;
    }

    public static Socket Connect(string name)
    {
        Socket socket = NewSocket();
        socket.Connect(new UnixDomainSocketEndPoint("\0" + name));
        return socket;
    }

    public static Socket Accept(Socket listener)
    {
        Socket socket = listener.Accept();
        socket.SendBufferSize = BufferBytes;
        socket.ReceiveBufferSize = BufferBytes;
        return socket;
    }

    private static Socket NewSocket()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
        {
            SendBufferSize = BufferBytes,
            ReceiveBufferSize = BufferBytes,
        };
        return socket;
    }
}
