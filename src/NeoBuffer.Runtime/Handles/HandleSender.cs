using System;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Threading;
using NeoBuffer.Format;
using NeoBuffer.Handles;
using NeoBuffer.Interop;
using NeoBuffer.Sealed;

namespace NeoBuffer;

/// <summary>
/// Sends open handles (files, sockets, pipe ends, private channels) to the reader of a channel, to go with the
/// messages this writer commits. <see cref="Send(ReadOnlySpan{PassedHandle}, TimeSpan, CancellationToken)"/> passes
/// them over the channel's handle socket (SCM_RIGHTS) and returns a <see cref="HandleBatch"/>; put that in the message
/// and commit it, and the reader's <see cref="HandleReceiver"/> hands the handles out for it. Not thread-safe, like the
/// writer; one sender per writer.
/// </summary>
/// <example>
/// <code>
/// using var handles = new HandleSender(writer);
/// using WriteClaim claim = writer.Claim(HandleBatch.Size);
/// handles.Send([logFile, privateChannelReader], TimeSpan.FromSeconds(5)).Write(claim.Payload);
/// claim.Commit();
/// </code>
/// </example>
/// <remarks>
/// <para>
/// The batch is on the socket before <see cref="Send(ReadOnlySpan{PassedHandle}, TimeSpan, CancellationToken)"/>
/// returns, so once the message is committed, the reader finds its handles already waiting. A batch whose message is
/// never committed (its claim aborted) is closed by the reader when it receives a later batch, or when it disposes its
/// receiver.
/// </para>
/// <para>
/// The sender connects on its first send, to the socket the reader's <see cref="HandleReceiver"/> listens on, and
/// sends nothing unless the kernel says the listening process holds the channel's live reader row. Broadcast channels
/// are not supported: handles go to exactly one reader.
/// </para>
/// </remarks>
public sealed class HandleSender : IDisposable
{
    /// <summary>The timeout of the overloads that take none: to connect, and to wait for room on the socket.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    // How often a sender whose reader has no receiver yet tries to connect again.
    private static readonly TimeSpan ConnectRetry = TimeSpan.FromMilliseconds(10);

    private readonly SharedChannelWriter _writer;
    private int _socket = -1;
    private ulong _token;
    private uint _sequence;
    private bool _disposed;

    /// <summary>Creates a sender for the handles that go with <paramref name="writer"/>'s messages.</summary>
    /// <exception cref="NotSupportedException">The channel is a broadcast channel.</exception>
    public HandleSender(SharedChannelWriter writer)
    {
        HandleAddress.SegmentOf(writer);
        _writer = writer;
    }

    /// <summary>The writer whose messages the handles go with.</summary>
    public SharedChannelWriter Writer => _writer;

    /// <summary>Sends <paramref name="handles"/>, waiting up to <see cref="DefaultTimeout"/>.</summary>
    /// <inheritdoc cref="Send(ReadOnlySpan{PassedHandle}, TimeSpan, CancellationToken)"/>
    public HandleBatch Send(ReadOnlySpan<PassedHandle> handles, CancellationToken cancellationToken = default) =>
        Send(handles, DefaultTimeout, cancellationToken);

    /// <summary>
    /// Sends <paramref name="handles"/> to the channel's reader as one batch and returns the reference to put in the
    /// message that goes with them. The handles stay open here; the reader gets descriptors of the same open files.
    /// An empty list sends nothing and returns <see cref="HandleBatch.None"/>.
    /// </summary>
    /// <param name="handles">At most <see cref="HandleBatch.MaxHandles"/> handles.</param>
    /// <param name="timeout">How long to wait for the reader's receiver to listen, and for room on the socket.</param>
    /// <param name="cancellationToken">Cancels those waits.</param>
    /// <exception cref="ArgumentException">More than <see cref="HandleBatch.MaxHandles"/> handles, or one that is closed.</exception>
    /// <exception cref="TimeoutException">No receiver listened for the channel's reader, or the socket had no room, within <paramref name="timeout"/>.</exception>
    /// <exception cref="HandleTransferException">The process listening at the channel's handle address is not the channel's reader, or the reader went away.</exception>
    public HandleBatch Send(ReadOnlySpan<PassedHandle> handles, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ObjectDisposedException.ThrowIf(_writer.IsDisposed, _writer);
        if (handles.IsEmpty)
        {
            return HandleBatch.None;
        }

        if (handles.Length > HandleBatch.MaxHandles)
        {
            throw new ArgumentException($"A batch carries at most {HandleBatch.MaxHandles} handles; {handles.Length} were given. Send them with several messages.", nameof(handles));
        }

        Span<int> descriptors = stackalloc int[handles.Length];
        Span<HandleKind> kinds = stackalloc HandleKind[handles.Length];
        int acquired = 0;
        try
        {
            for (; acquired < handles.Length; acquired++)
            {
                descriptors[acquired] = handles[acquired].Acquire();
                kinds[acquired] = handles[acquired].Kind;
            }

            return SendBatch(descriptors, kinds, timeout, cancellationToken);
        }
        finally
        {
            for (int i = 0; i < acquired; i++)
            {
                handles[i].Release(descriptors[i]);
            }
        }
    }

    /// <summary>Closes the connection. Batches already sent stay receivable by the reader.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Disconnect();
    }

    private HandleBatch SendBatch(ReadOnlySpan<int> descriptors, ReadOnlySpan<HandleKind> kinds, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        Span<byte> message = stackalloc byte[HandleWire.BatchHeaderLength + HandleBatch.MaxHandles];
        bool reconnected = false;
        while (true)
        {
            if (_socket < 0)
            {
                Connect(timeout, clock, cancellationToken);
            }

            uint sequence = _sequence + 1;
            int length = HandleWire.WriteBatch(message, sequence, kinds);
            nint sent = UnixSocket.SendMessage(_socket, message[..length], descriptors, LibC.MSG_DONTWAIT, out int errno);
            if (sent == length)
            {
                // Sent whole: the batch is in the reader's socket queue before the caller commits the message naming it.
                _sequence = sequence;
                return new HandleBatch(_token, sequence, kinds.Length);
            }

            switch (errno)
            {
                case LibC.EINTR:
                    continue;
                case LibC.EAGAIN:
                    // The reader has taken none of the batches queued: wait for room, within what is left of the timeout.
                    if (!UnixSocket.WaitWritable(_socket, Remaining(timeout, clock), cancellationToken))
                    {
                        throw new TimeoutException($"Channel '{_writer.Name}': the reader took no handles within {timeout.TotalMilliseconds:0.###} ms, and its handle socket is full. It is not reading, or not receiving the handles of the messages it reads.");
                    }

                    continue;
                case LibC.EPIPE or LibC.ECONNRESET or LibC.ENOTCONN when !reconnected:
                    // The receiver this connection went to is gone (the reader was disposed or restarted): batches go
                    // to the one listening now, under a new token, so no old message can name them.
                    Disconnect();
                    reconnected = true;
                    continue;
                default:
                    string why = sent < 0 ? LibC.Describe(errno) : $"{sent} of {length} bytes sent";
                    Disconnect();
                    throw new HandleTransferException($"Channel '{_writer.Name}': cannot send handles to the reader: {why}.");
            }
        }
    }

    private void Connect(TimeSpan timeout, Stopwatch clock, CancellationToken cancellationToken)
    {
        string address = HandleAddress.Of(_writer.Segment);
        int socket;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            socket = UnixSocket.ConnectAbstract(address, out int errno);
            if (socket >= 0)
            {
                break;
            }

            if (errno is not (LibC.ECONNREFUSED or LibC.ENOENT or LibC.EAGAIN))
            {
                throw new HandleTransferException($"Channel '{_writer.Name}': cannot connect to the reader's handle socket: {LibC.Describe(errno)}.");
            }

            // No receiver listens yet (or its backlog is full): the reader may still be creating it. Retry until the timeout.
            TimeSpan left = Remaining(timeout, clock);
            if (left == TimeSpan.Zero)
            {
                throw new TimeoutException($"Channel '{_writer.Name}': no HandleReceiver listened for the channel's reader within {timeout.TotalMilliseconds:0.###} ms ({LibC.Describe(errno)}). Create one on the reader before handles are sent.");
            }

            cancellationToken.WaitHandle.WaitOne(left == Timeout.InfiniteTimeSpan || left > ConnectRetry ? ConnectRetry : left);
        }

        try
        {
            // Anyone can bind an abstract name: send nothing unless the listener is the process holding the reader's row.
            PeerCredentials listener = UnixSocket.PeerOf(socket);
            if (!HandleAddress.HoldsLiveRow(_writer.Segment, listener.Pid, ParticipantRow.KindConsumer))
            {
                throw new HandleTransferException(
                    $"Channel '{_writer.Name}': the process listening at its handle address ({listener}) is not the channel's live reader (or the reader is in another pid namespace, where the pid it recorded may name another process here). No handles were sent to it.");
            }

            ulong token = NewToken();
            Span<byte> hello = stackalloc byte[HandleWire.HelloLength];
            HandleWire.WriteHello(hello, token);
            // A new connection's queue is empty, so the hello always fits: a failure here is the reader going away.
            nint sent = UnixSocket.SendMessage(socket, hello, [], LibC.MSG_DONTWAIT, out int errno);
            if (sent != HandleWire.HelloLength)
            {
                throw new HandleTransferException($"Channel '{_writer.Name}': the reader's handle socket refused the connection's hello: {(sent < 0 ? LibC.Describe(errno) : "partial send")}.");
            }

            _socket = socket;
            _token = token;
            _sequence = 0;
        }
        catch
        {
            LibC.Close(socket);
            throw;
        }
    }

    private void Disconnect()
    {
        if (_socket >= 0)
        {
            LibC.Close(_socket);
            _socket = -1;
        }
    }

    // Random, so that a message written for an earlier connection (to an earlier receiver) never names a batch of this one.
    private static ulong NewToken()
    {
        Span<byte> bytes = stackalloc byte[8];
        ulong token;
        do
        {
            RandomNumberGenerator.Fill(bytes);
            token = BitConverter.ToUInt64(bytes);
        }
        while (token == 0);
        return token;
    }

    private static TimeSpan Remaining(TimeSpan timeout, Stopwatch clock) =>
        timeout == Timeout.InfiniteTimeSpan ? Timeout.InfiniteTimeSpan : timeout - clock.Elapsed is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero;
}
