using System;
using System.Collections.Generic;
using System.Diagnostics;

namespace NeoBuffer.Cli;

/// <summary>
/// Rates from the counters in the participant rows, between two refreshes of <c>top</c>. A participant is known by its
/// channel, row, generation and pid: a row taken over by a new holder (its counters restart at 0) starts a new series.
/// </summary>
internal sealed class CounterRates
{
    private readonly Dictionary<(string, int, ulong, int), (long Messages, long Bytes, long At)> _previous = new();
    private Dictionary<(string, int, ulong, int), (long Messages, long Bytes, long At)> _current = new();
    private long _now;

    public void BeginRound()
    {
        _now = Stopwatch.GetTimestamp();
        _current = new();
    }

    /// <summary>Messages and bytes per second since the previous round; 0 for a participant first seen now.</summary>
    public (double Messages, double Bytes) Rate(ChannelSnapshot channel, ParticipantSnapshot p)
    {
        var key = (channel.Name, p.Row, p.Generation, p.Pid);
        _current[key] = (p.Messages, p.Bytes, _now);
        if (!_previous.TryGetValue(key, out var before) || _now <= before.At)
        {
            return (0, 0);
        }

        double seconds = Stopwatch.GetElapsedTime(before.At, _now).TotalSeconds;
        return (Math.Max(0, p.Messages - before.Messages) / seconds, Math.Max(0, p.Bytes - before.Bytes) / seconds);
    }

    public void EndRound()
    {
        _previous.Clear();
        foreach (var entry in _current)
        {
            _previous[entry.Key] = entry.Value;
        }
    }
}
