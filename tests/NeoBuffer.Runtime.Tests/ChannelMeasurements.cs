using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Linq;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// A <see cref="MeterListener"/> on the <c>NeoBuffer</c> meter that collects its observable instruments on demand and
/// keeps what concerns one channel. Tests run in parallel and every open endpoint of the process is observed, so the
/// channel's unique name is the filter. Callbacks run on the collecting thread, inside <see cref="Collect"/>.
/// </summary>
internal sealed class ChannelMeasurements : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly string _channel;
    private readonly List<Observation> _collected = [];

    public ChannelMeasurements(string channel)
    {
        _channel = channel;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == SharedChannel.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var tagged = new Dictionary<string, object?>();
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                tagged[tag.Key] = tag.Value;
            }

            if (Equals(tagged.GetValueOrDefault("neobuffer.channel"), _channel))
            {
                _collected.Add(new Observation(instrument.Name, value, tagged));
            }
        });
        _listener.Start();
    }

    /// <summary>Runs every observable instrument's callback now; returns this channel's observations.</summary>
    public IReadOnlyList<Observation> Collect()
    {
        _collected.Clear();
        _listener.RecordObservableInstruments();
        return _collected.ToList();
    }

    /// <summary>The value of <paramref name="instrument"/> for the one endpoint of <paramref name="role"/>; fails unless there is exactly one.</summary>
    public long Single(string instrument, string role) =>
        Assert.Single(Collect(), o => o.Instrument == instrument && o.Role == role).Value;

    public void Dispose() => _listener.Dispose();
}
