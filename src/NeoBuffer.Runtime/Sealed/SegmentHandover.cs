using System;
using System.Text;
using System.Threading;
using NeoBuffer.Interop;
using NeoBuffer.Segments;

namespace NeoBuffer.Sealed;

/// <summary>
/// The one-message protocol of a sealed channel's socket. The server answers each connection once and closes it:
/// <c>'A'</c> and the channel's name with the segment's memfd attached (SCM_RIGHTS), or <c>'R'</c> alone when its
/// policy refused the peer. Nothing the client receives is trusted: the name is validated, the descriptor must be
/// sealed, and the header is validated like any other.
/// </summary>
internal static class SegmentHandover
{
    private const byte Accepted = (byte)'A';
    private const byte Refused = (byte)'R';

    /// <summary>Whether <paramref name="policy"/> lets the peer on <paramref name="connection"/> have the segment.</summary>
    public static bool IsAllowed(int connection, Func<PeerCredentials, bool> policy)
    {
        PeerCredentials peer = UnixSocket.PeerOf(connection);
        try
        {
            return policy(peer);
        }
        catch (Exception)
        {
            // A policy that throws has not said yes. It runs on the server's accept thread, which must survive it.
            return false;
        }
    }

    /// <summary>Sends the peer the refusal, or the channel's name and a descriptor of the segment.</summary>
    public static void Answer(int connection, bool allowed, SharedSegment segment)
    {
        if (!allowed)
        {
            UnixSocket.Send(connection, [Refused], -1);
            return;
        }

        // A fresh open file description per peer: the peer can keep or misuse it without holding this process's locks.
        int descriptor = segment.OpenPrivateDescriptor();
        try
        {
            byte[] message = new byte[1 + Encoding.UTF8.GetByteCount(segment.Name)];
            message[0] = Accepted;
            Encoding.UTF8.GetBytes(segment.Name, message.AsSpan(1));
            UnixSocket.Send(connection, message, descriptor);
        }
        finally
        {
            LibC.Close(descriptor);
        }
    }

    /// <summary>
    /// Connects to <paramref name="socketPath"/> and receives the channel's name and its sealed memfd, reopened as this
    /// process's own open file description.
    /// </summary>
    public static (int Descriptor, string Name) Receive(string socketPath, TimeSpan timeout, CancellationToken cancellationToken)
    {
        int received = ReceiveRaw(socketPath, timeout, cancellationToken, out string name);
        try
        {
            SealedMemfd.RequireSealed(received, socketPath);
            return (SealedMemfd.Reopen(received, socketPath), name);
        }
        finally
        {
            LibC.Close(received);
        }
    }

    /// <summary>The descriptor exactly as the server sent it, unchecked: for <see cref="Receive"/>, and for tests of what a peer can do with it.</summary>
    internal static int ReceiveRaw(string socketPath, TimeSpan timeout, CancellationToken cancellationToken, out string name)
    {
        int connection = UnixSocket.Connect(socketPath);
        try
        {
            if (!UnixSocket.WaitReadable(connection, timeout, cancellationToken))
            {
                throw new TimeoutException($"The server at '{socketPath}' did not hand over its channel within {timeout}.");
            }

            byte[] buffer = new byte[1 + ChannelName.MaxLength];
            int length = UnixSocket.Receive(connection, buffer, out int descriptor);
            if (length > 0 && buffer[0] == Accepted && descriptor >= 0)
            {
                try
                {
                    name = Encoding.UTF8.GetString(buffer, 1, length - 1);
                    ChannelName.Validate(name);
                    return descriptor;
                }
                catch (ArgumentException e)
                {
                    LibC.Close(descriptor);
                    throw new SharedChannelException($"The server at '{socketPath}' sent an invalid channel name: {e.Message}", e);
                }
            }

            if (descriptor >= 0)
            {
                LibC.Close(descriptor);
            }

            PeerCredentials self = new(Environment.ProcessId, LibC.GetEUid(), LibC.GetEGid());
            throw length > 0 && buffer[0] == Refused
                ? new SharedChannelException($"The server at '{socketPath}' refused this process ({self}): its credential policy does not accept it.")
                : new SharedChannelException($"The server at '{socketPath}' closed the connection without handing over a channel.");
        }
        finally
        {
            LibC.Close(connection);
        }
    }}
