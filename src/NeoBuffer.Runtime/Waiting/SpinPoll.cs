using System.Threading;

namespace NeoBuffer.Waiting;

/// <summary>
/// The pause between two checks of a spinning wait. <see cref="SharedChannelOptions.SpinCount"/> counts rounds of about
/// 0.4 us; a round used to be one <c>Thread.SpinWait(10)</c> and one check, and a waiter polling that coarsely saw
/// each hand-off some 0.2 us late on average, on each side of a request's round trip. So a round is split into short
/// pauses (<c>Thread.SpinWait(1)</c>, about 50 ns), each followed by a check: the same spin, polled eight times as
/// often. A check is a load of a line the peer writes, as a spinning reader's own loop makes anyway.
/// <para>
/// Every <see cref="ChecksPerYield"/>th pause yields the processor instead (<c>sched_yield</c>): spin, yield, park, as
/// backoff idle strategies do. Where spinning threads outnumber cores (four clients and a server on two), a waiter
/// whose answer has not come would otherwise burn the rest of its time slice while the thread that could answer, or
/// that already has its answer, waits for the core: 64 B requests from four blocking clients went from 0.44-0.59 to
/// 1.6-2.9 M requests/s (docs/benchmarks/notes.md). With a core to spare the yield returns at once, and the first one
/// comes only after about 3 us of spinning, past a spinning hand-off's usual wait.
/// </para>
/// </summary>
internal static class SpinPoll
{
    /// <summary>Checks per round of <see cref="SharedChannelOptions.SpinCount"/>.</summary>
    public const int ChecksPerRound = 8;

    /// <summary>How many checks a wait of <paramref name="spinCount"/> rounds makes before it parks.</summary>
    public static long Checks(int spinCount) => (long)spinCount * ChecksPerRound;

    /// <summary>Checks between two yields of the processor.</summary>
    public const int ChecksPerYield = 64;

    /// <summary>Whether the pause before check number <paramref name="check"/> yields the processor.</summary>
    public static bool Yields(long check) => check % ChecksPerYield == 0;

    /// <summary>The pause before check number <paramref name="check"/> (from 1) of a wait.</summary>
    public static void Pause(long check)
    {
        if (Yields(check))
        {
            Thread.Yield();
        }
        else
        {
            Thread.SpinWait(1);
        }
    }
}
