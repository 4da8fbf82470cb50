using System;
using Microsoft.Win32.SafeHandles;
using NeoBuffer.Interop;
using NeoBuffer.Sealed;

namespace NeoBuffer.Handles;

/// <summary>
/// The receiving end of one writer's handle connection: its hello (the token its messages name), then its batches in
/// the order sent, read one at a time and only as far as the batch a message asks for. Every descriptor a receive
/// installs is wrapped in an owning SafeHandle before anything else is checked, so each failure path closes it.
/// </summary>
internal sealed class HandleConnection : IDisposable
{
    private readonly string _channel;
    private SafeFileHandle[]? _pendingHandles;
    private HandleKind[]? _pendingKinds;
    private uint _pendingSequence;
    private uint _lastSequence;

    public HandleConnection(int socket, PeerCredentials peer, string channel)
    {
        Socket = socket;
        Peer = peer;
        _channel = channel;
    }

    public int Socket { get; private set; }

    /// <summary>The writer process, as the kernel recorded it at connect.</summary>
    public PeerCredentials Peer { get; }

    /// <summary>The token its hello announced; 0 until it has.</summary>
    public ulong Token { get; private set; }

    /// <summary>Whether the writer closed its end and every batch it sent has been read.</summary>
    public bool IsDrained { get; private set; }

    /// <summary>
    /// Reads the hello if it has arrived: true once the connection has its token (now or before), false while it has
    /// not come; null when the peer sent something else (or hung up) first, and must be dropped.
    /// </summary>
    public bool? TryReadHello()
    {
        if (Token != 0)
        {
            return true;
        }

        Span<byte> buffer = stackalloc byte[HandleWire.ReceiveBufferLength];
        Span<int> descriptors = stackalloc int[HandleBatch.MaxHandles];
        nint received;
        int count;
        int errno;
        while ((received = UnixSocket.ReceiveMessage(Socket, buffer, descriptors, LibC.MSG_DONTWAIT, out count, out _, out errno)) < 0 && errno == LibC.EINTR)
        {
        }

        for (int i = 0; i < count; i++)
        {
            LibC.Close(descriptors[i]); // a hello carries none: whatever came with it goes
        }

        if (received < 0)
        {
            return errno == LibC.EAGAIN ? false : null;
        }

        ulong token = count == 0 ? HandleWire.ReadHello(buffer[..(int)received]) : 0;
        if (token == 0)
        {
            return null;
        }

        Token = token;
        return true;
    }

    /// <summary>
    /// The batch <paramref name="wanted"/> names, if this connection has delivered it; null while nothing more has
    /// arrived. Batches sent before it were never named by a message (their claims were aborted): they are closed and
    /// counted in <paramref name="unreferenced"/>.
    /// </summary>
    /// <exception cref="HandleTransferException">The connection delivered a later batch instead (the message names one that was never sent), or broke the protocol (it is then closed).</exception>
    public ReceivedHandles? TryTake(HandleBatch wanted, ref long unreferenced)
    {
        while (true)
        {
            if (_pendingHandles is null && !TryReceiveBatch())
            {
                return null;
            }

            // Serial comparison, so the order holds across the wrap of the 32-bit sequence.
            int order = (int)(_pendingSequence - wanted.Sequence);
            if (order < 0)
            {
                CloseAll(_pendingHandles!);
                _pendingHandles = null;
                unreferenced++;
                continue;
            }

            if (order > 0)
            {
                // Kept: it is the next message's, most likely. This message names a batch the socket never carried.
                throw new HandleTransferException(
                    $"Channel '{_channel}': a message names {wanted}, which the writer ({Peer}) never sent: its next batch on that connection is {_pendingSequence}. No handles were taken for the message.");
            }

            SafeFileHandle[] handles = _pendingHandles!;
            HandleKind[] kinds = _pendingKinds!;
            _pendingHandles = null;
            _pendingKinds = null;
            if (handles.Length != wanted.Count)
            {
                CloseAll(handles);
                throw new HandleTransferException(
                    $"Channel '{_channel}': a message names {wanted}, but that batch carried {handles.Length} handles. They were closed.");
            }

            return new ReceivedHandles(handles, kinds, _channel);
        }
    }

    /// <summary>
    /// Whether no message still to be read can name a batch of this connection, so the receiver may let it go: its
    /// writer hung up and everything it sent has been read; or its writer process had left the channel when
    /// <paramref name="writerGone"/> was taken, and nothing more is queued (or, <paramref name="ringEmpty"/> too, the
    /// batch read ahead is one no message names: it is closed and counted in <paramref name="unreferenced"/>). Reads
    /// one batch ahead when one is queued, as a receive would.
    /// </summary>
    /// <remarks>
    /// Why "writer gone, then nothing queued" is final: a writer sends a batch before it commits the message naming it,
    /// and commits before it gives up its row, so once its process holds no live writer row, every batch its messages
    /// name was queued before that was seen; a queue found empty afterwards stays so for every message still to come.
    /// A ring found empty after that holds no message of that writer at all.
    /// </remarks>
    public bool IsFinished(bool writerGone, bool ringEmpty, ref long unreferenced)
    {
        if (Token == 0)
        {
            return false; // its hello is read (or it is refused) by the receiver's accept
        }

        try
        {
            if (_pendingHandles is null && TryReceiveBatch())
            {
                return false; // a batch a message may still name
            }
        }
        catch (HandleTransferException)
        {
            return true; // it broke the protocol and was closed: nothing more comes from it
        }

        if (_pendingHandles is null)
        {
            return IsDrained || writerGone;
        }

        if (!writerGone || !ringEmpty)
        {
            return false;
        }

        CloseAll(_pendingHandles);
        _pendingHandles = null;
        unreferenced++;
        return true;
    }

    /// <summary>Closes the connection (the kernel closes every descriptor still queued in it) and any batch read ahead.</summary>
    public void Dispose()
    {
        if (_pendingHandles is not null)
        {
            CloseAll(_pendingHandles);
            _pendingHandles = null;
        }

        if (Socket >= 0)
        {
            LibC.Close(Socket);
            Socket = -1;
        }
    }

    // Reads the next batch into the pending fields: false when none has arrived (or the writer hung up and all is read).
    private bool TryReceiveBatch()
    {
        if (IsDrained)
        {
            return false;
        }

        Span<byte> buffer = stackalloc byte[HandleWire.ReceiveBufferLength];
        Span<int> descriptors = stackalloc int[HandleBatch.MaxHandles];
        nint received;
        int count, flags, errno;
        while ((received = UnixSocket.ReceiveMessage(Socket, buffer, descriptors, LibC.MSG_DONTWAIT, out count, out flags, out errno)) < 0 && errno == LibC.EINTR)
        {
        }

        // Owned from here: installed in this process by the receive, whatever the message turns out to be.
        var handles = new SafeFileHandle[count];
        for (int i = 0; i < count; i++)
        {
            handles[i] = new SafeFileHandle(descriptors[i], ownsHandle: true);
        }

        if (received < 0 && errno == LibC.EAGAIN)
        {
            return false;
        }

        string? error = received < 0
            ? $"the socket failed: {LibC.Describe(errno)}"
            : received == 0 && count == 0 ? null : Validate(buffer[..(int)received], handles, flags);
        if (received == 0 && count == 0)
        {
            IsDrained = true; // the writer closed its end: what it sent has all been read
            return false;
        }

        if (error is not null)
        {
            CloseAll(handles);
            Dispose();
            IsDrained = true;
            throw new HandleTransferException($"Channel '{_channel}': the writer ({Peer}) broke the handle protocol: {error}. Its connection and every handle it carried were closed.");
        }

        _pendingHandles = handles;
        return true;
    }

    private string? Validate(ReadOnlySpan<byte> message, SafeFileHandle[] handles, int flags)
    {
        if ((flags & LibC.MSG_CTRUNC) != 0)
        {
            // The kernel installed what fit and closed the rest: more than a batch may carry.
            return $"a batch with more than {HandleBatch.MaxHandles} handles";
        }

        if ((flags & LibC.MSG_TRUNC) != 0)
        {
            return "a message longer than any batch";
        }

        string? malformed = HandleWire.ReadBatch(message, out uint sequence, out ReadOnlySpan<byte> kinds);
        if (malformed is not null)
        {
            return malformed;
        }

        if (kinds.Length != handles.Length)
        {
            return $"batch {sequence} declares {kinds.Length} handles but carried {handles.Length}";
        }

        if ((int)(sequence - _lastSequence) <= 0)
        {
            return $"batch {sequence} after batch {_lastSequence} (sequences must increase)";
        }

        var declared = new HandleKind[kinds.Length];
        for (int i = 0; i < kinds.Length; i++)
        {
            declared[i] = (HandleKind)kinds[i];
            string? mismatch = DescriptorKind.Mismatch((int)handles[i].DangerousGetHandle(), declared[i]);
            if (mismatch is not null)
            {
                return $"handle {i} of batch {sequence} is {mismatch}";
            }
        }

        _lastSequence = sequence;
        _pendingSequence = sequence;
        _pendingKinds = declared;
        return null;
    }

    private static void CloseAll(SafeFileHandle[] handles)
    {
        foreach (SafeFileHandle handle in handles)
        {
            handle.Dispose();
        }
    }
}
