using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace NeoBuffer.Waiting;

/// <summary>
/// A wait on many readers at once, as a condition and its words: ready when any reader is (a message, the end of its
/// stream, or disposed), parked on every reader's wake word at once, so a process reading many channels needs no thread
/// per channel. The wait loops are <see cref="RingWait"/>'s, the same as a single reader's: sync waits park the calling
/// thread (one futex_waitv), async ones hand the words to the process's futex waiter.
/// </summary>
internal sealed class ReaderSelection : IWaitCondition
{
    private readonly IReadOnlyList<SharedChannelReader> _readers;

    private ReaderSelection(IReadOnlyList<SharedChannelReader> readers) => _readers = readers;

    /// <summary>The index of the reader the last satisfied check found ready; -1 before.</summary>
    public int Ready { get; private set; } = -1;

    public static int WaitAny(IReadOnlyList<SharedChannelReader> readers, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Check(readers);
        long deadline = RingWait.DeadlineOf(timeout);
        var selection = new ReaderSelection(readers);
        AddRefAll(readers);
        try
        {
            WakeWords words = selection.Words();
            return RingWait.Block(selection, ref words, spinCount: 0, deadline, cancellationToken) ? selection.Ready : throw TimedOut(timeout);
        }
        finally
        {
            ReleaseAll(readers);
        }
    }

    public static async ValueTask<int> WaitAnyAsync(IReadOnlyList<SharedChannelReader> readers, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Check(readers);
        long deadline = RingWait.DeadlineOf(timeout);
        var selection = new ReaderSelection(readers);
        AddRefAll(readers);
        try
        {
            if (selection.IsSatisfied())
            {
                return selection.Ready;
            }

            cancellationToken.ThrowIfCancellationRequested();
            return await RingWait.ParkAsync(selection, selection.Words(), deadline, cancellationToken).ConfigureAwait(false)
                ? selection.Ready
                : throw TimedOut(timeout);
        }
        finally
        {
            ReleaseAll(readers);
        }
    }

    public bool IsSatisfied()
    {
        for (int i = 0; i < _readers.Count; i++)
        {
            if (_readers[i].IsReadyToRead)
            {
                Ready = i;
                return true;
            }
        }

        return false;
    }

    // A dead writer cannot wake anyone: look for one each time a slice passes quietly (see RingWait).
    public void ReclaimFromDeadPeers()
    {
        foreach (SharedChannelReader reader in _readers)
        {
            reader.ReclaimFromDeadPeers();
        }
    }

    // The wait parks on every reader's wake word, so each reader counts it as one of its parked waits.
    public void OnParking()
    {
        foreach (SharedChannelReader reader in _readers)
        {
            reader.CountParkedWait();
        }
    }

    private WakeWords Words()
    {
        var words = new nint[_readers.Count];
        for (int i = 0; i < words.Length; i++)
        {
            words[i] = _readers[i].WakeWord;
        }

        return new WakeWords(words);
    }

    private static void Check(IReadOnlyList<SharedChannelReader> readers)
    {
        ArgumentNullException.ThrowIfNull(readers);
        if (readers.Count is 0 or > FutexWaitEngine.MaxWordsPerThread)
        {
            throw new ArgumentOutOfRangeException(nameof(readers), readers.Count, $"Wait on 1 to {FutexWaitEngine.MaxWordsPerThread} readers at once.");
        }
    }

    // Each selection counts as a wait of every reader it covers (its readiness checks run their consumers' protocol,
    // which writes the ring) and holds every mapping: a reader disposed meanwhile keeps its role and stays mapped until
    // the selection returns.
    private static void AddRefAll(IReadOnlyList<SharedChannelReader> readers)
    {
        for (int i = 0; i < readers.Count; i++)
        {
            bool added = false;
            bool entered = false;
            try
            {
                readers[i].EnterWait();
                entered = true;
                readers[i].Mapping.DangerousAddRef(ref added);
            }
            catch
            {
                if (entered)
                {
                    readers[i].ExitWait();
                }

                for (int j = 0; j < i; j++)
                {
                    readers[j].Mapping.DangerousRelease();
                    readers[j].ExitWait();
                }

                throw;
            }
        }
    }

    private static void ReleaseAll(IReadOnlyList<SharedChannelReader> readers)
    {
        foreach (SharedChannelReader reader in readers)
        {
            reader.Mapping.DangerousRelease();
            reader.ExitWait();
        }
    }

    private static TimeoutException TimedOut(TimeSpan timeout) => new($"None of the channels had a message within {timeout.TotalMilliseconds:0.###} ms.");
}
