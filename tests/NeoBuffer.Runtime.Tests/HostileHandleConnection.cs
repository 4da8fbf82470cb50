using System;
using NeoBuffer.Handles;
using NeoBuffer.Interop;
using NeoBuffer.Sealed;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// A writer's handle connection that sends whatever a test says, as a faulty or hostile writer would: it connects to
/// the channel's handle address from this process (which holds a live writer row, so it is accepted).
/// </summary>
internal sealed class HostileHandleConnection : IDisposable
{
    private readonly int _socket;

    private HostileHandleConnection(int socket, ulong token)
    {
        _socket = socket;
        Token = token;
    }

    public ulong Token { get; }

    public static HostileHandleConnection To(SharedChannelWriter writer, bool hello = true)
    {
        int socket = UnixSocket.ConnectAbstract(HandleAddress.Of(writer.Segment), out int errno);
        Assert.True(socket >= 0, $"connect failed: {LibC.Describe(errno)}");
        ulong token = (ulong)Random.Shared.NextInt64(1, long.MaxValue);
        if (hello)
        {
            Span<byte> message = stackalloc byte[HandleWire.HelloLength];
            HandleWire.WriteHello(message, token);
            Assert.Equal(HandleWire.HelloLength, (int)UnixSocket.SendMessage(socket, message, [], 0, out _));
        }

        return new HostileHandleConnection(socket, token);
    }

    public void SendBatch(uint sequence, ReadOnlySpan<HandleKind> kinds, ReadOnlySpan<int> descriptors)
    {
        Span<byte> message = stackalloc byte[HandleWire.BatchHeaderLength + kinds.Length];
        int length = HandleWire.WriteBatch(message, sequence, kinds);
        nint sent = UnixSocket.SendMessage(_socket, message[..length], descriptors, 0, out int errno);
        Assert.True(sent == length, $"send failed: {LibC.Describe(errno)}");
    }

    public void Dispose() => LibC.Close(_socket);
}
