using System;
using Microsoft.Extensions.Logging;

namespace NeoBuffer.Nats;

/// <summary>How <see cref="NatsBridge.ForwardAsync(SharedChannelReader, NATS.Client.Core.INatsConnection, string, NatsForwardOptions?, System.Threading.CancellationToken)"/> publishes a local channel's messages.</summary>
public sealed class NatsForwardOptions
{
    private TimeSpan _ackTimeout = TimeSpan.FromSeconds(5);
    private TimeSpan _retryDelay = TimeSpan.FromMilliseconds(200);
    private int _maxInFlight = 256;
    private long _maxInFlightBytes = 8L << 20;
    private int _maxBatchBytes = 32 << 10;

    /// <summary>Core NATS (at most once, the default) or JetStream (at least once).</summary>
    public NatsBridgeMode Mode { get; set; } = NatsBridgeMode.Core;

    /// <summary>
    /// JetStream: the stream that must store the subject. When set, a publish the server routes to another stream fails
    /// instead of silently landing there. The stream must exist (see <see cref="NatsBridge.CreateStreamAsync"/>).
    /// </summary>
    public string? Stream { get; set; }

    /// <summary>
    /// Names this bridge in its JetStream message ids (and in its log lines):
    /// <c>{BridgeId}-p{position}</c>, the record's position in the local channel (a lossy subscriber, which cannot hold
    /// a record: <c>{BridgeId}-{sequence}</c>). Give the same name to a bridge restarted on the same channel, and the
    /// stream drops a record the previous run published but had not yet released (the restart republishes it under the
    /// same id) within its duplicate window. A channel recreated under the same name starts its positions again: give
    /// its bridge a new name (for example with the channel's creation time), or the stream drops its first records as
    /// duplicates of the old channel's within that window. Default: 16 random hex digits, new for every run (no
    /// deduplication across restarts).
    /// </summary>
    public string? BridgeId { get; set; }

    /// <summary>
    /// JetStream: how long one publish attempt waits for the stream's acknowledgement before it is retried (with
    /// everything published after it that is not acknowledged yet). Default 5 s.
    /// </summary>
    public TimeSpan AckTimeout
    {
        get => _ackTimeout;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _ackTimeout = value;
        }
    }

    /// <summary>
    /// JetStream: how many published records may await the stream's acknowledgement at once. Each stays in the local
    /// ring until it is acknowledged and every record before it is too, so a bridge that dies publishes them again
    /// when restarted (and the stream drops what it already has, under the same <see cref="BridgeId"/>). 1 publishes
    /// one record at a time. Records are read ahead of the reader through the channel's file, found by its name in the
    /// directory the bridge opened it in (<see cref="NatsBridge.ForwardChannelAsync"/>) or else in the default one; a
    /// channel not found there (a sealed channel, another directory) and a lossy subscriber go one at a time. Default 256.
    /// </summary>
    public int MaxInFlight
    {
        get => _maxInFlight;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxInFlight = value;
        }
    }

    /// <summary>
    /// JetStream: how many record bytes may await acknowledgement at once (with <see cref="MaxInFlight"/>, whichever
    /// is reached first); a record larger than this is published alone. Default 8 MiB.
    /// </summary>
    public long MaxInFlightBytes
    {
        get => _maxInFlightBytes;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxInFlightBytes = value;
        }
    }

    /// <summary>
    /// Core mode: the most bytes one NATS message carries when several records are waiting in the local ring at once
    /// (their frames included; docs/nats.md, "Wire format"). The bridge publishes what is waiting when it looks, and
    /// never waits for more: a record with nothing behind it leaves alone, at once. A record whose frame (8 bytes plus
    /// the record rounded up to a multiple of 8) takes more than a quarter of this leaves alone when it comes first,
    /// published straight from the ring. 0 (or anything under 32) publishes every record in a message of its own. A
    /// batch never exceeds the server's <c>max_payload</c>, whatever this says. JetStream mode ignores it: each record
    /// is a message of its own, with its own message id. Default 32 KiB.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or more than 1 MiB.</exception>
    public int MaxBatchBytes
    {
        get => _maxBatchBytes;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1 << 20);
            _maxBatchBytes = value;
        }
    }

    /// <summary>JetStream: the pause before a failed publish is retried. Default 200 ms.</summary>
    public TimeSpan RetryDelay
    {
        get => _retryDelay;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            _retryDelay = value;
        }
    }

    /// <summary>
    /// Whether to publish an end-of-stream marker (a message whose envelope says end, docs/nats.md "Wire format")
    /// when the local channel completes, so that the inbound bridge completes its channel too. Default true.
    /// </summary>
    public bool PublishEnd { get; set; } = true;

    /// <summary>Where the bridge logs what it refuses, retries or loses. Default: nowhere.</summary>
    public ILogger? Logger { get; set; }

    /// <summary>The counters to update; pass your own to watch a running bridge. Default: a new one, returned at the end.</summary>
    public NatsBridgeStatistics? Statistics { get; set; }
}
