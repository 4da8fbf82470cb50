using System;
using System.Runtime.CompilerServices;
using System.Threading;
using NeoBuffer.Bench.Harness;

using NeoBuffer.Testing;

namespace NeoBuffer.Bench.Transports;

/// <summary>
/// The parent's wait for its child's next message: the channel's own blocking wait, in slices, so that a child that
/// died is noticed within a second instead of hanging the run. A reader of several producers passes them all.
/// </summary>
internal static class PeerWait
{
    private static readonly TimeSpan Slice = TimeSpan.FromSeconds(1);

    // Spins between checks that the child is still alive, so a dead child fails the run instead of hanging it.
    private const int SpinsBetweenPeerChecks = 1 << 24;

    /// <summary>
    /// Spins until the word at <paramref name="word"/> holds <paramref name="value"/> (an acquire load each look), looking
    /// at <paramref name="peer"/> every 2^24 spins: the raw baselines' spinning wait, with no pause between looks.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void SpinUntil(long* word, long value, ChildProcess peer)
    {
        int spins = 0;
        while (Volatile.Read(ref *word) != value)
        {
            if (++spins == SpinsBetweenPeerChecks)
            {
                peer.ThrowIfExited();
                spins = 0;
            }
        }
    }

    public static void ForMessage(SharedChannelReader reader, params ChildProcess[] peers)
    {
        try
        {
            if (!reader.WaitToRead(Slice))
            {
                throw new InvalidOperationException($"The peer completed channel '{reader.Name}' before sending every message.");
            }
        }
        catch (TimeoutException)
        {
            Array.ForEach(peers, peer => peer.ThrowIfExited());
        }
    }
}
