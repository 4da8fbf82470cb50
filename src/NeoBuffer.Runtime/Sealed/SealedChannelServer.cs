using System;
using System.Threading;
using NeoBuffer.Interop;
using NeoBuffer.Sealed;
using NeoBuffer.Segments;

namespace NeoBuffer;

/// <summary>
/// The writer of a sealed channel and the Unix socket that hands the channel to readers: made by
/// <see cref="SharedChannel.CreateSealedWriter"/>. Until disposed, a background thread accepts connections at
/// <see cref="SocketPath"/>, asks the policy about each peer's kernel-checked credentials, and sends the accepted ones
/// the sealed memfd. Disposing stops serving, removes the socket file, and disposes <see cref="Writer"/>.
/// </summary>
/// <remarks>
/// Readers that already have the channel keep it after the server is disposed; only new readers are turned away.
/// </remarks>
public sealed class SealedChannelServer : IDisposable
{
    // How often the accept thread checks for disposal while no one connects.
    private static readonly TimeSpan AcceptSlice = TimeSpan.FromMilliseconds(100);

    private readonly SharedSegment _segment;
    private readonly Func<PeerCredentials, bool> _policy;
    private readonly int _listening;
    private readonly Thread _acceptor;
    private readonly CancellationTokenSource _stop = new();
    private long _accepted;
    private long _refused;
    private int _disposed;

    internal SealedChannelServer(SharedChannelWriter writer, SharedSegment segment, string socketPath, Func<PeerCredentials, bool> policy)
    {
        Writer = writer;
        _segment = segment;
        _policy = policy;
        SocketPath = socketPath;
        _listening = UnixSocket.Listen(socketPath);
        _acceptor = new Thread(Serve) { IsBackground = true, Name = $"NeoBuffer sealed server {segment.Name}" };
        _acceptor.Start();
    }

    /// <summary>The channel's writer.</summary>
    public SharedChannelWriter Writer { get; }

    /// <summary>Where readers connect (<see cref="SharedChannel.OpenSealedReader"/>).</summary>
    public string SocketPath { get; }

    /// <summary>How many peers the policy accepted (each is then sent the channel, unless it hung up first).</summary>
    public long AcceptedPeers => Interlocked.Read(ref _accepted);

    /// <summary>How many peers the policy refused (or whose policy call threw).</summary>
    public long RefusedPeers => Interlocked.Read(ref _refused);

    private void Serve()
    {
        while (true)
        {
            try
            {
                if (!UnixSocket.WaitReadable(_listening, AcceptSlice, _stop.Token))
                {
                    continue;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }

            int connection = UnixSocket.Accept(_listening);
            if (connection < 0)
            {
                continue; // the peer gave up between poll and accept, or a signal: nothing to answer
            }

            try
            {
                // Counted before the answer goes out, so a peer that has its answer also sees it counted.
                bool allowed = SegmentHandover.IsAllowed(connection, _policy);
                Interlocked.Increment(ref allowed ? ref _accepted : ref _refused);
                SegmentHandover.Answer(connection, allowed, _segment);
            }
            catch (SharedChannelException)
            {
                // One peer's failure (it hung up, say) must not stop the server serving the others.
            }
            finally
            {
                LibC.Close(connection);
            }
        }
    }

    /// <summary>Stops accepting, removes the socket file, and disposes <see cref="Writer"/>.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stop.Cancel();
        _acceptor.Join();
        LibC.Close(_listening);
        LibC.Unlink(SocketPath);
        _stop.Dispose();
        Writer.Dispose();
    }
}
