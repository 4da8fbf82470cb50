using System;

namespace NeoBuffer.Nats;

/// <summary>
/// The records a JetStream bridge has published and not yet released, oldest first, bounded by a count and by bytes.
/// It keeps no payloads: a record stays in the ring until it is released (the bridge holds the oldest, which keeps
/// every later one in place too), so the ring itself is what a retry publishes again. Sequence numbers in the window
/// are consecutive, which makes finding an acknowledgement's record one subtraction.
/// </summary>
internal sealed class InFlightWindow
{
    private readonly Entry[] _entries;
    private readonly long _maxBytes;
    private int _front;
    private int _count;
    private long _bytes;

    public InFlightWindow(int maxMessages, long maxBytes)
    {
        _entries = new Entry[maxMessages];
        _maxBytes = maxBytes;
    }

    public int Count => _count;

    /// <summary>The most records it holds.</summary>
    public int Capacity => _entries.Length;

    public bool IsEmpty => _count == 0;

    /// <summary>Whether a record of <paramref name="length"/> bytes may join: always into an empty window, whatever its size.</summary>
    public bool HasRoomFor(int length) => _count == 0 || (_count < _entries.Length && _bytes + length <= _maxBytes);

    public ref Entry Front => ref _entries[_front];

    public ref Entry At(int index) => ref _entries[(_front + index) % _entries.Length];

    public ref Entry Add(long position, int length, long sequence)
    {
        if (_count > 0 && sequence != At(_count - 1).Sequence + 1)
        {
            throw new InvalidOperationException($"sequence {sequence} does not follow {At(_count - 1).Sequence}");
        }

        ref Entry entry = ref _entries[(_front + _count) % _entries.Length];
        entry = new Entry { Position = position, Length = length, Sequence = sequence };
        _count++;
        _bytes += length;
        return ref entry;
    }

    public void RemoveFront()
    {
        _bytes -= _entries[_front].Length;
        _entries[_front] = default;
        _front = (_front + 1) % _entries.Length;
        _count--;
    }

    /// <summary>The index of the record published under <paramref name="sequence"/>, or -1 when it is no longer (or never was) in the window.</summary>
    public int IndexOf(long sequence)
    {
        if (_count == 0)
        {
            return -1;
        }

        long index = sequence - Front.Sequence;
        return index >= 0 && index < _count ? (int)index : -1;
    }

    /// <summary>One published record: where it is in the ring, what it was published as, and what the stream said.</summary>
    internal struct Entry
    {
        public long Position;
        public int Length;
        public long Sequence;

        /// <summary>When the latest publish of it stops waiting for its acknowledgement (<see cref="System.Diagnostics.Stopwatch"/> ticks).</summary>
        public long Deadline;

        public bool Acknowledged;

        /// <summary>The stream acknowledged it as a duplicate: it had the message id already.</summary>
        public bool Duplicate;
    }
}
