using System;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Ring;

namespace NeoBuffer.Waiting;

/// <summary>
/// A counting semaphore whose uncontended wait and release are one interlocked operation each: the request path takes
/// and gives back a gate (the client's send gate, a server's reply gate) for every request, and a
/// <see cref="SemaphoreSlim"/> costs a lock for each (about 40 ns for the pair, measured on the project's machine; this
/// costs about 12). Callers that find no permit sleep on a
/// <see cref="SemaphoreSlim"/> that permits are handed over to, with its timeouts, cancellation and async waits.
/// </summary>
/// <remarks>
/// <para>
/// Permits live in one of two places: <see cref="_free"/>, taken by CAS, or <see cref="_handedOver"/>, given to
/// sleepers. A permit is never in both and never lost, so <see cref="CurrentCount"/> is their sum, except for the moment
/// a release carries one from the first to the second: then neither <see cref="CurrentCount"/> nor another thread's
/// <see cref="TryWait"/> sees it. The releasing thread does once its <see cref="Release"/> has returned, which is what
/// a caller that releases and then tries to take the permit again relies on (a server's reply gate, a client's send
/// gate: both look again after their release, so a concurrent "mark, then try" that missed the permit in transit is
/// covered by the releaser's own look).
/// </para>
/// <para>
/// No sleeper misses a release. A sleeper counts itself in <see cref="_sleepers"/> (a full fence) before it looks at
/// <see cref="_free"/> a last time; a release adds its permit to <see cref="_free"/> (a full fence) before it looks at
/// <see cref="_sleepers"/>. So either the sleeper's last look finds the permit, or the release sees the sleeper and
/// moves a permit from <see cref="_free"/> to <see cref="_handedOver"/>, where the sleeper's wait finds it (it may
/// find none to move: another caller took it, and that caller's own release comes here again).
/// </para>
/// <para>
/// A permit handed over to a sleeper that has stopped waiting (it timed out, was cancelled, or took a free permit after
/// all) stays in <see cref="_handedOver"/> until the next caller takes it from there: <see cref="TryWait"/> looks there
/// too when <see cref="_free"/> is empty. Callers may overtake sleepers; like <see cref="SemaphoreSlim"/>, this is not
/// first come, first served.
/// </para>
/// </remarks>
internal sealed class FastPathSemaphore
{
    private static readonly Task<bool> Taken = Task.FromResult(true);

    private readonly SemaphoreSlim _handedOver = new(0);
    private readonly int _maxCount;
    private int _free;
    private int _sleepers;

    /// <summary>Makes a semaphore of <paramref name="count"/> permits, all free.</summary>
    public FastPathSemaphore(int count)
        : this(count, count)
    {
    }

    /// <summary>Makes a semaphore of <paramref name="maxCount"/> permits, <paramref name="initialCount"/> of them free.</summary>
    public FastPathSemaphore(int initialCount, int maxCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initialCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, Math.Max(initialCount, 1));
        _free = initialCount;
        _maxCount = maxCount;
    }

    /// <summary>Permits not taken (a moment's view).</summary>
    public int CurrentCount => Volatile.Read(ref _free) + _handedOver.CurrentCount;

    /// <summary>Sleepers counted now (tests).</summary>
    internal int Sleepers => Volatile.Read(ref _sleepers);

    /// <summary>Takes a permit if one is free now.</summary>
    public bool TryWait() => TryTakeFree() || (_handedOver.CurrentCount > 0 && _handedOver.Wait(0));

    /// <summary>Takes a permit, blocking up to <paramref name="timeout"/>; false when none came in time.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled, before or during the wait.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative, other than infinite.</exception>
    public bool Wait(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalid(timeout);
        cancellationToken.ThrowIfCancellationRequested();
        if (TryWait())
        {
            return true;
        }

        Interlocked.Increment(ref _sleepers);
        try
        {
            bool taken = TryWait() || _handedOver.Wait(timeout, cancellationToken);
            if (!taken)
            {
                ProtocolPoint.Reached(ProtocolPoint.SemaphoreSleeperLeaving);
            }

            return taken;
        }
        finally
        {
            Interlocked.Decrement(ref _sleepers);
        }
    }

    /// <summary>Takes a permit, waiting asynchronously up to <paramref name="timeout"/>; false when none came in time.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled, before or during the wait.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative, other than infinite.</exception>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalid(timeout);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<bool>(cancellationToken);
        }

        return TryWait() ? Taken : SleepAsync(timeout, cancellationToken);
    }

    /// <summary>Takes a permit, waiting asynchronously as long as it takes.</summary>
    public Task WaitAsync(CancellationToken cancellationToken = default) => WaitAsync(Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>Gives a permit back; a sleeper, if any, is handed one.</summary>
    /// <exception cref="SemaphoreFullException">More permits were given back than taken (a bug in the caller), seen whenever no permit is with a sleeper.</exception>
    public void Release()
    {
        if (Interlocked.Increment(ref _free) > _maxCount)
        {
            Interlocked.Decrement(ref _free);
            throw new SemaphoreFullException("A permit was given back that was not taken.");
        }

        if (Volatile.Read(ref _sleepers) > 0 && TryTakeFree())
        {
            _handedOver.Release();

            // The hand-over before whatever this caller loads next (a gate's holder looks at a mark after its release):
            // the SemaphoreSlim's lock exit alone is a release, which the .NET memory model lets a later load pass.
            Interlocked.MemoryBarrier();
        }
    }

    private async Task<bool> SleepAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _sleepers);
        try
        {
            return TryWait() || await _handedOver.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _sleepers);
        }
    }

    // As SemaphoreSlim checks every timeout, contended or not (whether the wait would have slept must not decide), and
    // with its rule: whole milliseconds below -1 are refused; any longer timeout is taken, as it takes them.
    private static void ThrowIfInvalid(TimeSpan timeout)
    {
        if ((long)timeout.TotalMilliseconds < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be Timeout.InfiniteTimeSpan or not negative.");
        }
    }

    private bool TryTakeFree()
    {
        int free = Volatile.Read(ref _free);
        while (free > 0)
        {
            int seen = Interlocked.CompareExchange(ref _free, free - 1, free);
            if (seen == free)
            {
                return true;
            }

            free = seen;
        }

        return false;
    }
}
