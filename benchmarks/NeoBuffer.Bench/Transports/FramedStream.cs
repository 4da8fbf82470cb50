using System;
using System.Buffers.Binary;
using System.IO;

namespace NeoBuffer.Bench.Transports;

/// <summary>
/// A message channel over a byte stream (a connected Unix stream socket, an anonymous pipe), used the way such a
/// channel is: each message is one frame (a 4-byte little-endian length, then the payload) sent with one write
/// (send(2) or write(2)). The receiving side reads up to 256 KiB per call and cuts frames out of that buffer, so small
/// messages share system calls on the receiving side (the stream's best case); a frame larger than the buffer is
/// received straight into the message buffer.
/// </summary>
internal sealed class FramedStream : IDisposable
{
    private const int PrefixBytes = sizeof(int);
    private const int ReceiveChunk = 256 * 1024;

    private readonly Stream _stream;
    private readonly byte[] _sendFrame;
    private readonly byte[] _received = GC.AllocateUninitializedArray<byte>(ReceiveChunk, pinned: true);
    private readonly byte[] _message;
    private int _start;
    private int _end;

    public FramedStream(Stream stream, int maxMessageBytes)
    {
        _stream = stream;
        _sendFrame = GC.AllocateUninitializedArray<byte>(PrefixBytes + maxMessageBytes, pinned: true);
        _message = GC.AllocateUninitializedArray<byte>(maxMessageBytes, pinned: true);
    }

    /// <summary>The payload part of the send buffer: fill it, then <see cref="SendFrame"/>.</summary>
    public Span<byte> SendPayload(int length) => _sendFrame.AsSpan(PrefixBytes, length);

    /// <summary>Sends the frame whose payload was filled through <see cref="SendPayload"/>: one write per message.</summary>
    public void SendFrame(int length)
    {
        BinaryPrimitives.WriteInt32LittleEndian(_sendFrame, length);
        // A stream's Write returns after all bytes were queued (looping over partial sends itself).
        _stream.Write(_sendFrame.AsSpan(0, PrefixBytes + length));
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

    public void Dispose() => _stream.Dispose();

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
        int got = _stream.Read(into);
        if (got == 0)
        {
            throw new InvalidOperationException("The peer closed the stream in the middle of a frame.");
        }

        return got;
    }
}
