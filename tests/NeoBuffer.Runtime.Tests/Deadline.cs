using System;
using System.Diagnostics;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// A bound on a whole loop of waits. Each wait in a loop may have its own timeout and the loop still never end (a wait
/// that keeps reporting "ready" with nothing to read): every such loop checks a deadline, so a bug fails the test with
/// a TimeoutException instead of hanging the run.
/// </summary>
internal readonly struct Deadline
{
    private readonly Stopwatch _clock;
    private readonly TimeSpan _bound;
    private readonly string _what;

    private Deadline(TimeSpan bound, string what)
    {
        _clock = Stopwatch.StartNew();
        _bound = bound;
        _what = what;
    }

    public static Deadline In(TimeSpan bound, string what) => new(bound, what);

    /// <summary>What is left of the bound, for the next wait; throws once nothing is.</summary>
    public TimeSpan Remaining
    {
        get
        {
            TimeSpan left = _bound - _clock.Elapsed;
            return left > TimeSpan.Zero ? left : throw Expired();
        }
    }

    /// <summary>Throws once the bound has passed.</summary>
    public void Check() => _ = Remaining;

    private TimeoutException Expired() => new($"{_what} did not finish within {_bound.TotalSeconds:0.#} s.");
}
