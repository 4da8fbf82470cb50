using System;
using NeoBuffer.Bench.Harness;
using NetMQ;

using NeoBuffer.Testing;

namespace NeoBuffer.Bench.Transports;

/// <summary>
/// What the NetMQ sessions share: this process binds a random port on TCP loopback and the child connects to it; a child
/// lingers at exit until NetMQ has sent everything it queued; a receive waits in slices, so a child that died is noticed
/// instead of hanging the run.
/// </summary>
internal static class NetMqEndpoint
{
    public const string Host = "tcp://127.0.0.1";

    private static readonly TimeSpan Slice = TimeSpan.FromSeconds(1);

    public static TSocket Connect<TSocket>(TSocket socket, string port)
        where TSocket : NetMQSocket
    {
        socket.Options.Linger = TimeSpan.FromMinutes(1);
        socket.Connect($"{Host}:{port}");
        return socket;
    }

    /// <summary>In a child, after its sockets are disposed: blocks until NetMQ has sent what they queued, then stops its threads.</summary>
    public static void Drain() => NetMQConfig.Cleanup(block: true);

    /// <summary>Receives the next message into <paramref name="message"/>; throws when <paramref name="peer"/> exited first.</summary>
    public static void Receive(NetMQSocket socket, ref Msg message, ChildProcess peer)
    {
        while (!socket.TryReceive(ref message, Slice))
        {
            peer.ThrowIfExited();
        }
    }
}
