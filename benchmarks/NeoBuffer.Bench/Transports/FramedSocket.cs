using System;
using System.Buffers.Binary;
using System.Net.Sockets;

namespace NeoBuffer.Bench.Transports;

/// <summary>
/// A message channel over a connected Unix stream socket, used the way such a channel is: each message is one frame
/// (a 4-byte little-endian length, then the payload) sent with one send(2). The receiving side reads up to 256 KiB per
/// recv(2) and cuts frames out of that buffer, so small messages share system calls on the receiving side (the
/// socket's best case); a frame larger than the buffer is received straight into the message buffer.
/// </summary>
internal sealed class FramedSocket : IDisposable
{
    private const int PrefixBytes = sizeof(int);
    private const int ReceiveChunk = 256 * 1024;

    private readonly Socket _socket;
    private readonly byte[] _sendFrame;
    private readonly byte[] _received = GC.AllocateUninitializedArray<byte>(ReceiveChunk, pinned: true);
    private readonly byte[] _message;
    private int _start;
    private int _end;

    public FramedSocket(Socket socket, int maxMessageBytes)
    {
        _socket = socket;
        _sendFrame = GC.AllocateUninitializedArray<byte>(PrefixBytes + maxMessageBytes, pinned: true);
        _message = GC.AllocateUninitializedArray<byte>(maxMessageBytes, pinned: true);
    }

    /// <summary>The payload part of the send buffer: fill it, then <see cref="SendFrame"/>.</summary>
    public Span<byte> SendPayload(int length) => _sendFrame.AsSpan(PrefixBytes, length);

    /// <summary>Sends the frame whose payload was filled through <see cref="SendPayload"/>: one send(2) per message.</summary>
    public void SendFrame(int length)
    {
        BinaryPrimitives.WriteInt32LittleEndian(_sendFrame, length);
        ReadOnlySpan<byte> frame = _sendFrame.AsSpan(0, PrefixBytes + length);
        while (!frame.IsEmpty)
        {
            // A blocking stream send returns after all bytes were queued; the loop is for the rare partial send.
            frame = frame[_socket.Send(frame)..];
        }
    }

    /// <summary>Receives the next message; the span is valid until the next call.</summary>
    public ReadOnlySpan<byte> ReceiveFrame()
    {
        Fill(PrefixBytes);
        int length = BinaryPrimitives.ReadInt32LittleEndian(_received.AsSpan(_start));
        _start += PrefixBytes;
        if ((uint)length > (uint)_message.Length)
        {
            throw new InvalidOperationException($"A frame of {length} bytes arrived; at most {_message.Length} were expected.");
        }

        if (length <= _received.Length)
        {
            Fill(length);
            ReadOnlySpan<byte> inPlace = _received.AsSpan(_start, length);
            _start += length;
            return inPlace;
        }

        // Larger than the receive buffer: take what is buffered, then receive the rest straight into the message.
        int buffered = _end - _start;
        _received.AsSpan(_start, buffered).CopyTo(_message);
        _start = _end = 0;
        for (int got = buffered; got < length;)
        {
            got += Receive(_message.AsSpan(got, length - got));
        }

        return _message.AsSpan(0, length);
    }

    public void Dispose() => _socket.Dispose();

    /// <summary>Makes at least <paramref name="count"/> unread bytes contiguous in the receive buffer.</summary>
    private void Fill(int count)
    {
        if (_end - _start >= count)
        {
            return;
        }

        if (_received.Length - _start < count)
        {
            _received.AsSpan(_start, _end - _start).CopyTo(_received);
            _end -= _start;
            _start = 0;
        }

        while (_end - _start < count)
        {
            _end += Receive(_received.AsSpan(_end));
        }
    }

    private int Receive(Span<byte> into)
    {
        int got = _socket.Receive(into);
        if (got == 0)
        {
            throw new InvalidOperationException("The peer closed the socket in the middle of the stream.");
        }

        return got;
    }
}
