using System;
using System.Collections.Generic;
using System.Threading;
using NeoBuffer.Interop;

namespace NeoBuffer.Waiting;

/// <summary>
/// The wake words one wait parks on: one (a reader or a writer waiting for its peer) or several (one thread waiting on
/// many readers), with the value each was armed with. One word sleeps in FUTEX_WAIT, several in one futex_waitv; the
/// protocol around them (<see cref="RingWait"/>) is the same.
/// </summary>
internal unsafe struct WakeWords
{
    private readonly nint _word;
    private readonly Futex.WaitV[]? _entries;     // several words: each one's address and armed value
    private readonly (nint Word, int Expected)[]? _pairs; // several words: the same, as the futex waiter thread takes them
    private int _armed;

    /// <summary>One wake word.</summary>
    public WakeWords(nint word) => _word = word;

    /// <summary>Several wake words; waking any of them ends the sleep.</summary>
    public WakeWords(IReadOnlyList<nint> words)
    {
        _word = words[0];
        _entries = new Futex.WaitV[words.Count];
        _pairs = new (nint, int)[words.Count];
        for (int i = 0; i < words.Count; i++)
        {
            _entries[i] = new Futex.WaitV((int*)words[i], 0);
        }
    }

    /// <summary>A word whose wake ends the sleep of every word (cancellation and dispose wake this one).</summary>
    public readonly nint First => _word;

    /// <summary>
    /// Sets every word's parked bit, then fences this side only. The caller re-checks its condition next, and sleeps
    /// at most <see cref="RingWait.UnfencedSliceNs"/> before it fences for the publishers too.
    /// </summary>
    public void ArmLocally()
    {
        if (_entries is null)
        {
            _armed = SetParkedBit(_word);
        }
        else
        {
            for (int i = 0; i < _entries.Length; i++)
            {
                var word = (nint)_entries[i].Address;
                _entries[i] = new Futex.WaitV((int*)word, SetParkedBit(word));
            }
        }

        Interlocked.MemoryBarrier();
    }

    /// <summary>
    /// Sleeps while every word holds its armed value, for at most <paramref name="timeoutNs"/> from
    /// <paramref name="nowNs"/>. False when the time passed with nobody waking a word; true on a wake (or a spurious
    /// return, which the caller re-checks like a wake).
    /// </summary>
    public readonly bool Sleep(long nowNs, long timeoutNs)
    {
        if (_entries is null)
        {
            return Futex.Wait((int*)_word, _armed, timeoutNs);
        }

        fixed (Futex.WaitV* waits = _entries)
        {
            Futex.Timespec limit = Futex.Timespec.FromNanoseconds(nowNs + timeoutNs);
            return Futex.WaitAny(waits, _entries.Length, &limit) != -1;
        }
    }

    /// <summary>Whether every word still holds the value it was armed with: then nobody woke one, and the arming stands.</summary>
    public readonly bool AreUnchanged()
    {
        if (_entries is null)
        {
            return Volatile.Read(ref *(int*)_word) == _armed;
        }

        foreach (Futex.WaitV entry in _entries)
        {
            if (Volatile.Read(ref *(int*)entry.Address) != (int)entry.Value)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The words and their armed values, for the process's futex waiter thread.</summary>
    public readonly (nint Word, int Expected)[] Armed()
    {
        if (_entries is null)
        {
            return [(_word, _armed)];
        }

        for (int i = 0; i < _entries.Length; i++)
        {
            _pairs![i] = ((nint)_entries[i].Address, (int)_entries[i].Value);
        }

        return _pairs!;
    }

    /// <summary>Sets the parked bit of <paramref name="word"/> (no fence of its own); returns the value to sleep on.</summary>
    private static int SetParkedBit(nint word)
    {
        int value = Volatile.Read(ref *(int*)word);
        while ((value & 1) == 0)
        {
            int seen = Interlocked.CompareExchange(ref *(int*)word, value | 1, value);
            if (seen == value)
            {
                value |= 1;
                break;
            }

            value = seen;
        }

        return value;
    }
}
