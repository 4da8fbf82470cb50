using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NeoBuffer.Requests;

namespace NeoBuffer;

/// <summary>
/// A response, copied out of the client's response ring into memory of the client's (so holding it holds back no other
/// response): read it with <c>new TResponse.View(response.Payload)</c>, then dispose it, once, to give the memory back
/// (the client reuses it for a later response).
/// </summary>
/// <typeparam name="TResponse">The response message type.</typeparam>
public struct ResponseLease<TResponse> : IDisposable where TResponse : unmanaged, IChannelMessage<TResponse>
{
    private byte[]? _buffer;
    private readonly int _length;
    private readonly SpareResponseBuffer? _home;

    internal ResponseLease(byte[] buffer, int length, SpareResponseBuffer home)
    {
        _buffer = buffer;
        _length = length;
        _home = home;
    }

    /// <summary>The response's bytes (fixed block, then its tail).</summary>
    /// <exception cref="ObjectDisposedException">The lease was disposed.</exception>
    public readonly ReadOnlySpan<byte> Payload =>
        (_buffer ?? throw new ObjectDisposedException(nameof(ResponseLease<TResponse>))).AsSpan(0, _length);

    /// <summary>The response, copied out (for response types without variable-length fields).</summary>
    /// <exception cref="MessageFormatException">The response's length is not the size of <typeparamref name="TResponse"/>, or <typeparamref name="TResponse"/> is versioned or has variable-length fields (read it through its view).</exception>
    public readonly TResponse Message
    {
        get
        {
            if (!TResponse.Layout.IsCopiedWhole || _length != Unsafe.SizeOf<TResponse>())
            {
                throw new MessageFormatException($"The response has {_length} bytes, but {typeof(TResponse).Name} has {Unsafe.SizeOf<TResponse>()}: read it through {typeof(TResponse).Name}.View.");
            }

            return MemoryMarshal.Read<TResponse>(Payload);
        }
    }

    /// <summary>
    /// Gives the memory back to the client, which reuses it for a later response. Dispose each lease once: a copy of the
    /// struct shares the memory, and a second dispose through it could hand that memory to two later responses.
    /// </summary>
    public void Dispose()
    {
        byte[]? buffer = _buffer;
        _buffer = null;
        if (buffer is not null)
        {
            _home!.Give(buffer); // kept for the client's next response, or returned to the pool
        }
    }
}
