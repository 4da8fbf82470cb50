using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using NeoBuffer.Format;
using NeoBuffer.Handles;
using NeoBuffer.Interop;
using NeoBuffer.Metrics;
using NeoBuffer.Sealed;

namespace NeoBuffer;

/// <summary>
/// Receives the handles that come with the messages a channel's reader reads: created on the reader, it listens on the
/// channel's handle socket, and <see cref="Receive(HandleBatch, TimeSpan, CancellationToken)"/> hands out the batch a
/// message names, as the writer's <see cref="HandleSender"/> sent it. Not thread-safe, like the reader; one receiver
/// per reader. Dispose it with (or before) the reader: that closes every handle nobody took.
/// </summary>
/// <example>
/// <code>
/// using var handles = new HandleReceiver(reader);
/// while (reader.TryLease(out ReadLease lease))
///     using (lease)
///     using (ReceivedHandles received = handles.Receive(HandleBatch.Read(lease.Payload), TimeSpan.FromSeconds(5)))
///     {
///         using FileStream log = received.TakeFile(0);
///         using SharedChannelReader replies = received.TakeChannelReader(1);
///     }
/// </code>
/// </example>
/// <remarks>
/// Work happens only inside <see cref="Receive(HandleBatch, TimeSpan, CancellationToken)"/>: no thread of its own, no
/// system call for messages without handles. A writer sends a batch before it commits the message that names it, so
/// an honest message's handles are already queued when the message is read, and a receive waits only when a
/// message names a batch that has not come (a faulty or hostile writer), up to its timeout.
/// </remarks>
public sealed class HandleReceiver : IDisposable
{
    /// <summary>The timeout of the overloads that take none.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The most writer connections held at once (an MPSC channel has at most this many writers sending handles).</summary>
    public const int MaxConnections = 64;

    private static readonly ReceivedHandles s_none = new([], [], string.Empty);

    private readonly SharedChannelReader _reader;
    private readonly int _listening;
    private readonly List<HandleConnection> _connections = [];
    private readonly FinishedTokens _finished = new();
    private long _unreferenced;
    private long _refused;
    private bool _disposed;

    /// <summary>Starts listening for handles sent to <paramref name="reader"/>.</summary>
    /// <exception cref="NotSupportedException">The channel is a broadcast channel.</exception>
    /// <exception cref="HandleTransferException">Another socket holds the channel's handle address (another receiver of this reader, or a squatter).</exception>
    public HandleReceiver(SharedChannelReader reader)
    {
        string address = HandleAddress.Of(HandleAddress.SegmentOf(reader));
        _reader = reader;
        _listening = UnixSocket.ListenAbstract(address, out int errno);
        if (_listening < 0)
        {
            throw new HandleTransferException(errno == LibC.EADDRINUSE
                ? $"Channel '{reader.Name}': its handle address '@{address}' is taken: another HandleReceiver of this reader is open, or another process holds the name."
                : $"Channel '{reader.Name}': cannot listen for handles at '@{address}': {LibC.Describe(errno)}.");
        }
    }

    /// <summary>The reader whose messages' handles this receives.</summary>
    public SharedChannelReader Reader => _reader;

    /// <summary>
    /// Batches closed unseen because no message named them: each sent by a writer that then aborted its message (or
    /// never wrote it), found when a later batch of the same writer was received.
    /// </summary>
    public long UnreferencedBatches => _unreferenced;

    /// <summary>
    /// Connections refused: from a process that is not a writer of the channel (it holds no live writer row, and is not
    /// the last holder of a writer row it left), beyond <see cref="MaxConnections"/>, or that did not begin with a hello.
    /// </summary>
    public long RefusedConnections => _refused;

    /// <summary>Receives the batch <paramref name="batch"/> names, waiting up to <see cref="DefaultTimeout"/>.</summary>
    /// <inheritdoc cref="Receive(HandleBatch, TimeSpan, CancellationToken)"/>
    public ReceivedHandles Receive(HandleBatch batch, CancellationToken cancellationToken = default) =>
        Receive(batch, DefaultTimeout, cancellationToken);

    /// <summary>
    /// Receives the handles of the message that carries <paramref name="batch"/>. Call it for each message read that
    /// names a batch, in the order the messages were read; dispose the result once the handles you want are taken.
    /// <see cref="HandleBatch.None"/> returns an empty batch at once.
    /// </summary>
    /// <param name="batch">The reference the message carries (from <see cref="HandleBatch.Read"/>).</param>
    /// <param name="timeout">How long to wait for a batch that has not come; an honest writer's has always come.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="HandleTransferException">
    /// The socket did not carry the batch (the writer never sent it, sent a later one, or another count), or the writer
    /// broke the protocol. Nothing is left open: the batch's handles, if any came, were closed.
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ReceivedHandles Receive(HandleBatch batch, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (batch.IsNone)
        {
            return s_none;
        }

        if (batch.Connection == 0 || batch.Count is <= 0 or > HandleBatch.MaxHandles)
        {
            throw new HandleTransferException($"Channel '{_reader.Name}': a message names {batch}, which no writer can send (a batch has a connection token and 1 to {HandleBatch.MaxHandles} handles).");
        }

        long started = Stopwatch.GetTimestamp();
        while (true)
        {
            // A known connection is read straight away; only a token not seen yet costs accepting what is pending.
            HandleConnection? connection = Find(batch.Connection);
            if (connection is null)
            {
                AcceptPending();
                connection = Find(batch.Connection);
            }

            if (connection is not null)
            {
                ReceivedHandles? received = Take(connection, batch);
                if (received is not null)
                {
                    return received;
                }

                if (connection.IsDrained)
                {
                    Drop(connection);
                    throw NotCarried(batch, $"its writer ({connection.Peer}) closed the connection without sending it");
                }
            }
            else if (_finished.Contains(batch.Connection))
            {
                throw NotCarried(batch, "its writer's connection had already finished (the writer left, and every batch it sent was received or passed over)");
            }

            TimeSpan left = timeout == Timeout.InfiniteTimeSpan ? timeout : timeout - Stopwatch.GetElapsedTime(started);
            if (left != Timeout.InfiniteTimeSpan && left <= TimeSpan.Zero)
            {
                throw NotCarried(batch, connection is null
                    ? $"no writer connection announced that token within {timeout.TotalMilliseconds:0.###} ms"
                    : $"it did not arrive within {timeout.TotalMilliseconds:0.###} ms");
            }

            WaitForTraffic(connection, left, cancellationToken);
        }
    }

    /// <summary>Stops listening and closes every connection, with every handle still queued in them or not taken.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        LibC.Close(_listening);
        foreach (HandleConnection connection in _connections)
        {
            connection.Dispose();
        }

        _connections.Clear();
    }

    private ReceivedHandles? Take(HandleConnection connection, HandleBatch batch)
    {
        try
        {
            return connection.TryTake(batch, ref _unreferenced);
        }
        catch (HandleTransferException)
        {
            if (connection.Socket < 0)
            {
                Drop(connection); // it broke the protocol and was closed
            }

            throw;
        }
    }

    // Lets go of the finished connections, accepts every connection waiting, keeping those from a live writer of this
    // channel, and reads the hellos that have come. Connections are served in the order accepted, so of two that
    // announce one token, the first (the one whose messages could name it first) keeps it.
    private unsafe void AcceptPending()
    {
        DropFinished();
        while (true)
        {
            int socket = LibC.Accept4(_listening, null, null, LibC.SOCK_CLOEXEC | LibC.SOCK_NONBLOCK);
            if (socket < 0)
            {
                break; // EAGAIN: none left (any other error: a peer that gave up; nothing to serve)
            }

            PeerCredentials peer;
            try
            {
                peer = UnixSocket.PeerOf(socket);
            }
            catch (SharedChannelException)
            {
                Refuse(socket);
                continue;
            }

            // A writer of the channel, or one that was: a writer may send, commit and leave before this accept, and
            // the batches its committed messages name are in this connection's queue (the kernel keeps descriptors in
            // flight alive with the socket that holds them), so they are delivered like any other.
            if (_connections.Count >= MaxConnections ||
                !(HandleAddress.HoldsLiveRow(_reader.Segment, peer.Pid, ParticipantRow.KindProducer) ||
                  HandleAddress.HeldRowLast(_reader.Segment, peer.Pid, ParticipantRow.KindProducer)))
            {
                Refuse(socket);
                continue;
            }

            _connections.Add(new HandleConnection(socket, peer, _reader.Name));
        }

        for (int i = _connections.Count - 1; i >= 0; i--)
        {
            HandleConnection connection = _connections[i];
            bool? hello = connection.TryReadHello();
            if (hello is null || (hello == true && connection.Token != 0 && IndexOf(connection.Token) != i))
            {
                _connections.RemoveAt(i);
                connection.Dispose();
                _refused++;
            }
        }
    }

    // A writer that disposed or died leaves its connection behind: without this, writers coming and going would fill
    // the MaxConnections places for good and keep a descriptor each. Liveness is read before the queue and the ring
    // (HandleConnection.IsFinished says why that order makes the answer final).
    private void DropFinished()
    {
        for (int i = _connections.Count - 1; i >= 0; i--)
        {
            HandleConnection connection = _connections[i];
            bool writerGone = connection.Token != 0 && !HandleAddress.HoldsLiveRow(_reader.Segment, connection.Peer.Pid, ParticipantRow.KindProducer);
            bool ringEmpty = writerGone && RingOccupancy.UsedBytes(_reader.Segment) == 0; // read after that writer was seen gone
            if (connection.IsFinished(writerGone, ringEmpty, ref _unreferenced))
            {
                Drop(connection);
            }
        }
    }

    // Closes a connection and remembers its token, so a message naming it fails at once.
    private void Drop(HandleConnection connection)
    {
        _connections.Remove(connection);
        _finished.Add(connection.Token);
        connection.Dispose();
    }

    private HandleConnection? Find(ulong token)
    {
        int index = IndexOf(token);
        return index < 0 ? null : _connections[index];
    }

    private int IndexOf(ulong token)
    {
        for (int i = 0; i < _connections.Count; i++)
        {
            if (_connections[i].Token == token)
            {
                return i;
            }
        }

        return -1;
    }

    // Sleeps until the wanted connection has a message; while it is not known yet, until a connection arrives or a
    // hello comes. (Only what the next round reads is waited on, or a pending connection would wake it in a loop.)
    private void WaitForTraffic(HandleConnection? wanted, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (wanted is not null)
        {
            UnixSocket.WaitReadable(wanted.Socket, timeout, cancellationToken);
            return;
        }

        Span<int> sockets = stackalloc int[MaxConnections + 1];
        int count = 0;
        sockets[count++] = _listening;
        foreach (HandleConnection connection in _connections)
        {
            if (connection.Token == 0)
            {
                sockets[count++] = connection.Socket;
            }
        }

        UnixSocket.WaitAnyReadable(sockets[..count], timeout, cancellationToken);
    }

    private void Refuse(int socket)
    {
        LibC.Close(socket); // the kernel closes whatever it had queued, descriptors included
        _refused++;
    }

    private HandleTransferException NotCarried(HandleBatch batch, string why) =>
        new($"Channel '{_reader.Name}': a message names {batch}, but the handle socket did not carry it: {why}. No handles were taken for the message.");
}
