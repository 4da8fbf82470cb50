using System.Runtime.Intrinsics.X86;
using System.Threading;

namespace NeoBuffer.Waiting;

/// <summary>
/// The request path's spins (a client waiting for its response, <c>ServeAsync</c> waiting for the next request): as
/// <see cref="SpinPoll"/>, rounds of about 0.4 us with a yield of the processor about every 3 us, but with one
/// <c>pause</c> instruction (about 20 ns) between two checks instead of <c>Thread.SpinWait(1)</c> (about 50 ns). A
/// waiter sees a record on average half a pause after it lands, and a request waits twice, once on each side: on the
/// AMD EPYC host's near placement the 64 B request's p50 went from 0.38-0.40 to 0.35-0.38 us with the finer pause
/// (docs/benchmarks/notes.md). Where the instruction is not available, the ordinary poll.
/// </summary>
internal static class FineSpinPoll
{
    private const int ChecksPerRound = 20;
    private const int ChecksPerYield = 160;

    /// <summary>How many checks a wait of <paramref name="spinCount"/> rounds makes before it parks.</summary>
    public static long Checks(int spinCount) => X86Base.IsSupported ? (long)spinCount * ChecksPerRound : SpinPoll.Checks(spinCount);

    /// <summary>Whether the pause before check number <paramref name="check"/> (from 1) yields the processor.</summary>
    public static bool Yields(long check) => X86Base.IsSupported ? check % ChecksPerYield == 0 : SpinPoll.Yields(check);

    /// <summary>The pause before check number <paramref name="check"/> (from 1) of a wait.</summary>
    public static void Pause(long check)
    {
        if (!X86Base.IsSupported)
        {
            SpinPoll.Pause(check);
        }
        else if (Yields(check))
        {
            Thread.Yield();
        }
        else
        {
            X86Base.Pause();
        }
    }
}
