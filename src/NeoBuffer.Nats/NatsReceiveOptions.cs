using System;
using Microsoft.Extensions.Logging;

namespace NeoBuffer.Nats;

/// <summary>How <see cref="NatsBridge.ReceiveAsync(NATS.Client.Core.INatsConnection, string, SharedChannelWriter, NatsReceiveOptions?, System.Threading.CancellationToken)"/> takes messages from NATS.</summary>
public sealed class NatsReceiveOptions
{
    private TimeSpan _ackWait = TimeSpan.FromSeconds(30);
    private int _maxAckPending = 1000;

    /// <summary>Core NATS (at most once, the default) or JetStream (at least once).</summary>
    public NatsBridgeMode Mode { get; set; } = NatsBridgeMode.Core;

    /// <summary>JetStream: the stream to consume (required in that mode).</summary>
    public string? Stream { get; set; }

    /// <summary>
    /// JetStream: the durable consumer's name (required in that mode). The server remembers what it acknowledged, so a
    /// bridge restarted under the same name resumes where the last one committed.
    /// </summary>
    public string? Consumer { get; set; }

    /// <summary>
    /// JetStream: how long the server waits for the acknowledgement of a delivered message before it redelivers it
    /// (what a bridge killed mid-flight costs in delay). Applied when the bridge creates or updates its consumer. Default 30 s.
    /// </summary>
    public TimeSpan AckWait
    {
        get => _ackWait;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _ackWait = value;
        }
    }

    /// <summary>JetStream: how many delivered messages may await acknowledgement at once. Default 1000.</summary>
    public int MaxAckPending
    {
        get => _maxAckPending;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxAckPending = value;
        }
    }

    /// <summary>
    /// Whether an end-of-stream marker (a message whose envelope says end) completes the local channel and ends
    /// the bridge. Default true; false ignores markers and runs until cancelled.
    /// </summary>
    public bool CompleteOnEnd { get; set; } = true;

    /// <summary>
    /// Called once the bridge is receiving: core mode, once the server has the subscription (what is published after
    /// this arrives; core NATS keeps nothing for a subscriber that is not there yet); JetStream, once the consumer exists.
    /// </summary>
    public Action? Ready { get; set; }

    /// <summary>Where the bridge logs what it refuses or loses (a refused schema once per schema). Default: nowhere.</summary>
    public ILogger? Logger { get; set; }

    /// <summary>The counters to update; pass your own to watch a running bridge. Default: a new one, returned at the end.</summary>
    public NatsBridgeStatistics? Statistics { get; set; }

    // Tests only: JetStream faults the network causes, each at a chosen delivery (stream sequence, times delivered).
    /// <summary>A delivery for which this returns true is dropped unread and unacknowledged, as one the server sent and the network lost.</summary>
    internal Func<ulong, ulong, bool>? LosesDelivery { get; set; }

    /// <summary>A delivery for which this returns true is committed but its acknowledgement never sent, as one lost on the way.</summary>
    internal Func<ulong, ulong, bool>? LosesAcknowledgement { get; set; }
}
