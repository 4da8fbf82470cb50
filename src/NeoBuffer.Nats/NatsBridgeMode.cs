namespace NeoBuffer.Nats;

/// <summary>How a bridge moves messages over NATS; docs/nats.md ("Guarantees") says exactly what each promises.</summary>
public enum NatsBridgeMode
{
    /// <summary>
    /// Core NATS publish and subscribe: at most once. A message in flight when the connection drops, or one the
    /// subscriber's pending buffer overflows with, is lost and counted; nothing is retried.
    /// </summary>
    Core = 0,

    /// <summary>
    /// JetStream: at least once. The outbound bridge keeps each message in the local ring until the stream acknowledged
    /// it, publishing with a message id so a retried publish is dropped by the stream as a duplicate; the inbound bridge
    /// acknowledges a message only after it was committed to the local channel, so a crash in between redelivers it.
    /// </summary>
    JetStream = 1,
}
