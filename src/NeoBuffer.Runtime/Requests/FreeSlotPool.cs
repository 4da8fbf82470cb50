using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Ring;

namespace NeoBuffer.Requests;

/// <summary>
/// The indices of a client's free request slots, which are also its in-flight permits: a request takes one before it
/// is sent and gives it back once its result was taken. Taken and given back by any thread with one CAS each, where a
/// permit count and a separate list of free indices cost two; a taker that finds none waits (blocking or async) until
/// one is given back.
/// </summary>
/// <remarks>
/// <para>
/// <b>The stack.</b> The free indices are a stack linked through an array, its top word holding the top index and a
/// tag that every pop and push changes. A pop reads the top <c>t</c>, then <c>t</c>'s next, then CASes the top from
/// <c>t</c> to that next with a new tag; between its read and its CAS any other pop or push changes the tag, so its
/// CAS fails and it reads again: the next it read is never stale when its CAS succeeds (no ABA). A push writes its
/// index's next before the CAS that publishes it (a full fence), and a pop reads a next only after it read the top
/// that names it, with acquire.
/// </para>
/// <para>
/// <b>Waiting, as <see cref="Waiting.FastPathSemaphore"/> does.</b> An index is either on the stack or handed over
/// (queued in <see cref="_handed"/> and counted by <see cref="_handedOver"/>), never both and never lost. A taker that
/// finds none counts itself in <see cref="_sleepers"/> (a full fence) and looks at the stack a last time before it
/// sleeps on <see cref="_handedOver"/>; a giver pushes (a full fence) before it looks at <see cref="_sleepers"/>. So
/// either the sleeper's last look finds the index, or the giver sees the sleeper, pops an index (this one or another)
/// and hands it over. A giver that finds none to pop lost it to another taker, whose own give comes here again. An
/// index handed over to a sleeper that stopped waiting stays handed over until the next taker takes it:
/// <see cref="TryTake"/> looks there too when the stack is empty. Takers may overtake sleepers (a <see cref="TryTake"/>
/// can take an index given back while a sleeper waits); like <see cref="SemaphoreSlim"/>, this is not first come,
/// first served. Each index is given back once per take by the client (a recycled slot, or a send that failed); a
/// second give is caught only while the index is on top.
/// </para>
/// </remarks>
internal sealed class FreeSlotPool
{
    private const int Empty = -1;

    private readonly int[] _next;
    private readonly SemaphoreSlim _handedOver = new(0);
    private readonly Queue<int> _handed = new();
    private long _top;
    private int _sleepers;
    private long _waits;

    /// <summary>Makes a pool holding every index from 0 to <paramref name="count"/> - 1, 0 on top.</summary>
    public FreeSlotPool(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        _next = new int[count];
        for (int i = 0; i < count; i++)
        {
            _next[i] = i + 1 < count ? i + 1 : Empty;
        }

        _top = Word(tag: 0, count > 0 ? 0 : Empty);
    }

    /// <summary>How many indices are free; exact only while nobody takes or gives (tests).</summary>
    public int Count
    {
        get
        {
            int count = 0;
            for (int index = IndexOf(Volatile.Read(ref _top)); index != Empty && count <= _next.Length; index = _next[index])
            {
                count++;
            }

            return count + _handedOver.CurrentCount;
        }
    }

    /// <summary>Sleepers counted now (tests).</summary>
    internal int Sleepers => Volatile.Read(ref _sleepers);

    /// <summary>Takes that found no free index at once and counted themselves as sleepers, so far (tests).</summary>
    internal long Waits => Interlocked.Read(ref _waits);

    /// <summary>Takes a free index if there is one now.</summary>
    public bool TryTake(out int index)
    {
        if (TryPop(out index))
        {
            return true;
        }

        if (_handedOver.CurrentCount > 0 && _handedOver.Wait(0))
        {
            index = Dequeue();
            return true;
        }

        return false;
    }

    /// <summary>
    /// Takes a free index, blocking up to <paramref name="timeout"/> (already checked by the caller) for one to be given
    /// back; false when none came in time.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled during the wait.</exception>
    public bool Take(TimeSpan timeout, CancellationToken cancellationToken, out int index)
    {
        if (TryTake(out index) || TakeAsSleeper(out index))
        {
            return true;
        }

        try
        {
            ProtocolPoint.Reached(ProtocolPoint.SlotsSleeping);
            if (_handedOver.Wait(timeout, cancellationToken))
            {
                index = Dequeue();
                return true;
            }

            ProtocolPoint.Reached(ProtocolPoint.SlotsSleeperLeaving);
            return false;
        }
        finally
        {
            Interlocked.Decrement(ref _sleepers);
        }
    }

    /// <summary>
    /// Takes a free index, waiting asynchronously up to <paramref name="timeout"/> (already checked by the caller); -1
    /// when none came in time.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled during the wait.</exception>
    public async Task<int> TakeAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (TryTake(out int index) || TakeAsSleeper(out index))
        {
            return index;
        }

        try
        {
            ProtocolPoint.Reached(ProtocolPoint.SlotsSleeping);
            if (await _handedOver.WaitAsync(timeout, cancellationToken).ConfigureAwait(false))
            {
                return Dequeue();
            }

            ProtocolPoint.Reached(ProtocolPoint.SlotsSleeperLeaving);
            return Empty;
        }
        finally
        {
            Interlocked.Decrement(ref _sleepers);
        }
    }

    // Counts the caller as a sleeper (a full fence) and looks a last time. True when that look found an index (the
    // caller is then no longer counted); false when the caller, still counted, must sleep on _handedOver.
    private bool TakeAsSleeper(out int index)
    {
        ProtocolPoint.Reached(ProtocolPoint.SlotsSleeperCounting);
        Interlocked.Increment(ref _waits);
        Interlocked.Increment(ref _sleepers);
        bool took;
        try
        {
            took = TryTake(out index);
        }
        catch
        {
            Interlocked.Decrement(ref _sleepers);
            throw;
        }

        if (took)
        {
            Interlocked.Decrement(ref _sleepers);
        }

        return took;
    }

    /// <summary>Gives a taken index back; any thread. A sleeper, if one is counted, is handed an index.</summary>
    /// <exception cref="InvalidOperationException">The index is on top already (given back twice: a bug, which would otherwise link it to itself).</exception>
    public void Give(int index)
    {
        long top = Volatile.Read(ref _top);
        while (true)
        {
            if (IndexOf(top) == index)
            {
                throw new InvalidOperationException($"Request slot {index} was freed twice.");
            }

            _next[index] = IndexOf(top);
            long seen = Interlocked.CompareExchange(ref _top, Word(TagOf(top) + 1u, index), top);
            if (seen == top)
            {
                break;
            }

            top = seen;
        }

        if (Volatile.Read(ref _sleepers) > 0 && TryPop(out int handed))
        {
            lock (_handed)
            {
                _handed.Enqueue(handed);
            }

            _handedOver.Release();
        }
    }

    private bool TryPop(out int index)
    {
        long top = Volatile.Read(ref _top);
        while (IndexOf(top) != Empty)
        {
            int next = _next[IndexOf(top)];
            ProtocolPoint.Reached(ProtocolPoint.SlotsPopping);
            long seen = Interlocked.CompareExchange(ref _top, Word(TagOf(top) + 1u, next), top);
            if (seen == top)
            {
                index = IndexOf(top);
                return true;
            }

            top = seen;
        }

        index = Empty;
        return false;
    }

    // Each count of _handedOver taken stands for one index queued before its Release.
    private int Dequeue()
    {
        lock (_handed)
        {
            return _handed.Dequeue();
        }
    }

    private static long Word(uint tag, int index) => ((long)tag << 32) | (uint)index;

    private static uint TagOf(long word) => (uint)(word >> 32);

    private static int IndexOf(long word) => (int)word;
}
