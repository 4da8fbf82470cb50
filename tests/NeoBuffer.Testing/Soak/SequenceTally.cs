using System;
using System.Collections.Generic;

namespace NeoBuffer.Testing;

/// <summary>
/// What a reader saw of each producer's stream: which sequence numbers arrived (a bit each), so a repeat is a
/// duplicate, a number below the highest seen is a reordering, and the numbers that never arrived are the losses.
/// </summary>
public sealed class SequenceTally
{
    private readonly Dictionary<long, Stream> _streams = [];

    /// <summary>Records read (duplicates included).</summary>
    public long Received { get; private set; }

    public long Duplicated { get; private set; }

    public long Reordered { get; private set; }

    public void Accept(long producer, long sequence)
    {
        if (!_streams.TryGetValue(producer, out Stream? stream))
        {
            _streams.Add(producer, stream = new Stream());
        }

        Received++;
        if (!stream.Mark(sequence))
        {
            Duplicated++;
        }
        else if (sequence < stream.Highest)
        {
            Reordered++;
        }
        else
        {
            stream.Highest = sequence;
        }
    }

    /// <summary>Distinct records of <paramref name="producer"/> received.</summary>
    public long Distinct(long producer) => _streams.TryGetValue(producer, out Stream? stream) ? stream.Distinct : 0;

    /// <summary>The first (lowest) sequence number of <paramref name="producer"/> received, or -1.</summary>
    public long First(long producer) => _streams.TryGetValue(producer, out Stream? stream) && stream.Distinct > 0 ? stream.Lowest : -1;

    /// <summary>How many of <paramref name="producer"/>'s records [<paramref name="from"/>, <paramref name="to"/>) never arrived.</summary>
    public long Missing(long producer, long from, long to)
    {
        if (to <= from)
        {
            return 0;
        }

        if (!_streams.TryGetValue(producer, out Stream? stream))
        {
            return to - from;
        }

        long missing = 0;
        for (long sequence = from; sequence < to; sequence++)
        {
            missing += stream.Has(sequence) ? 0 : 1;
        }

        return missing;
    }

    public IEnumerable<long> Producers => _streams.Keys;

    private sealed class Stream
    {
        private ulong[] _seen = new ulong[64];

        public long Highest { get; set; } = -1;

        public long Lowest { get; private set; } = long.MaxValue;

        public long Distinct { get; private set; }

        public bool Has(long sequence) => sequence >> 6 < _seen.Length && (_seen[sequence >> 6] & (1UL << (int)(sequence & 63))) != 0;

        /// <summary>Marks <paramref name="sequence"/> seen; false if it was already.</summary>
        public bool Mark(long sequence)
        {
            long word = sequence >> 6;
            if (word >= _seen.Length)
            {
                Array.Resize(ref _seen, (int)Math.Max(word + 1, _seen.Length * 2L));
            }

            ulong bit = 1UL << (int)(sequence & 63);
            if ((_seen[word] & bit) != 0)
            {
                return false;
            }

            _seen[word] |= bit;
            Distinct++;
            Lowest = Math.Min(Lowest, sequence);
            return true;
        }
    }
}
