using System;
using System.Collections.Generic;

namespace NeoBuffer.Nats;

/// <summary>
/// The stream sequences one JetStream inbound run committed, the most recent <see cref="Capacity"/> of them. A delivery
/// of one of them is a repeat (its acknowledgement was lost, or a failed-over consumer leader handed it out again) and
/// is acknowledged, not written twice.
/// </summary>
/// <remarks>
/// Only an exact match makes a repeat. A range ("at or below the last commit") is not enough: a message the server
/// counts as delivered may never have reached this run (lost in flight when a node failed), and comes back as a
/// redelivery below messages this run committed since; skipping it would lose it. Past the bound a repeat is written
/// again: a duplicate, which at least once allows, never a loss.
/// </remarks>
internal sealed class RecentCommits
{
    /// <summary>
    /// At most about 2 MB, reached only by a run that commits that many (the sets grow as it does). Repeats come back
    /// after AckWait; a run that commits more than this many messages in that time writes such a repeat twice.
    /// </summary>
    public const int DefaultCapacity = 1 << 16;

    private readonly Queue<ulong> _oldestFirst = new();
    private readonly HashSet<ulong> _members = new();

    public RecentCommits(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    public int Capacity { get; }

    public bool Contains(ulong streamSequence) => _members.Contains(streamSequence);

    public void Add(ulong streamSequence)
    {
        if (!_members.Add(streamSequence))
        {
            return;
        }

        _oldestFirst.Enqueue(streamSequence);
        if (_oldestFirst.Count > Capacity)
        {
            _members.Remove(_oldestFirst.Dequeue());
        }
    }
}
