using System;
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
