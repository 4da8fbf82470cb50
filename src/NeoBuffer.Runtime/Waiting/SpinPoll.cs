using System.Threading;

namespace NeoBuffer.Waiting;

/// <summary>
/// The pause between two checks of a spinning wait. <see cref="SharedChannelOptions.SpinCount"/> counts rounds of about
/// 0.4 us; a round used to be one <c>Thread.SpinWait(10)</c> and one check, and a waiter polling that coarsely saw
/// each hand-off some 0.2 us late on average, on each side of a request's round trip. So a round is split into short
/// pauses (<c>Thread.SpinWait(1)</c>, about 50 ns), each followed by a check: the same spin, polled eight times as
/// often. A check is a load of a line the peer writes, as a spinning reader's own loop makes anyway.
/// </summary>
internal static class SpinPoll
{
    /// <summary>Checks per round of <see cref="SharedChannelOptions.SpinCount"/>.</summary>
    public const int ChecksPerRound = 8;

    /// <summary>How many checks a wait of <paramref name="spinCount"/> rounds makes before it parks.</summary>
    public static long Checks(int spinCount) => (long)spinCount * ChecksPerRound;

    /// <summary>The pause before the next check.</summary>
    public static void Pause() => Thread.SpinWait(1);
}
