using System.Runtime.CompilerServices;
using System.Threading;
using NeoBuffer.Format;
using NeoBuffer.Interop;

namespace NeoBuffer.Waiting;

/// <summary>
/// How progress is published so that a peer about to park never misses it (docs/format.md, "Waking"). Publishing is a
/// store followed by a load of the peer's wake word; parking is a store to the wake word followed by a load of the
/// progress. One of the two sides must fence between its store and its load. Normally the parking side does it for
/// both, with a global membarrier, and publishing costs a plain release store. When any participant of the channel
/// cannot use membarrier, the channel is marked (sticky) and every publication fences instead.
/// </summary>
internal static unsafe class Publication
{
    /// <summary>Called by every endpoint as it attaches.</summary>
    public static void Join(ChannelHeader* header)
    {
        if (!Membarrier.IsRegistered)
        {
            Interlocked.Exchange(ref header->FencedPublication, 1);
        }
    }

    /// <summary>Publishes <paramref name="value"/> into <paramref name="field"/>, ordered before the following wake-word load.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Publish(ChannelHeader* header, ref long field, long value)
    {
        if (Volatile.Read(ref header->FencedPublication) == 0)
        {
            Volatile.Write(ref field, value);
        }
        else
        {
            Interlocked.Exchange(ref field, value);
        }
    }

    /// <summary>Orders a release store already made before the following wake-word load.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AfterRelease(ChannelHeader* header)
    {
        if (Volatile.Read(ref header->FencedPublication) != 0)
        {
            Interlocked.MemoryBarrier();
        }
    }

    /// <summary>
    /// The parking side's fence, after arming its wake word and before re-checking: makes every registered peer's
    /// earlier publications visible, and its later wake-word loads see the arming. Returns whether the arming is now
    /// fenced for the publishers: true without a barrier in a process that is not registered (its channels are marked,
    /// so their publishers fence), false when the kernel refused the barrier.
    /// </summary>
    public static bool BeforeRecheck() => !Membarrier.IsRegistered || Membarrier.GlobalBarrier();
}
