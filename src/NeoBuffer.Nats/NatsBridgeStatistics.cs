using System.Threading;

namespace NeoBuffer.Nats;

/// <summary>
/// What one bridge has done so far. The bridge updates it as it goes (pass one in the options to watch a running
/// bridge); every property can be read from any thread at any time.
/// </summary>
public sealed class NatsBridgeStatistics
{
    private long _messages;
    private long _bytes;
    private long _rejected;
    private long _malformed;
    private long _dropped;
    private long _slowConsumerEvents;
    private long _duplicates;
    private long _retries;
    private long _lost;
    private long _directRecords;

    /// <summary>
    /// Records moved: published and (JetStream) acknowledged outbound; committed to the local channel inbound. A batch
    /// (core mode, <see cref="NatsForwardOptions.MaxBatchBytes"/>) counts each of its records.
    /// </summary>
    public long Messages => Volatile.Read(ref _messages);

    /// <summary>Record bytes of <see cref="Messages"/>.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>
    /// Inbound records refused because their schema fingerprint is not the channel's (or is missing); never written. A
    /// refused batch counts the records its envelope says it carries.
    /// </summary>
    public long Rejected => Volatile.Read(ref _rejected);

    /// <summary>
    /// Inbound records refused because they are malformed (too short, a descriptor outside it, too large for the ring);
    /// never written. A batch whose framing is broken is refused whole and counts once; a well-framed batch has each of
    /// its records checked on its own.
    /// </summary>
    public long Malformed => Volatile.Read(ref _malformed);

    /// <summary>
    /// Core mode only: outbound records not published because the connection was down, or lost with a batch whose
    /// publish failed or was cancelled (the bridge then throws); and inbound NATS messages (a batch counts once) the
    /// NATS client dropped because the bridge's pending buffer was full (a slow consumer).
    /// </summary>
    public long Dropped => Volatile.Read(ref _dropped);

    /// <summary>Slow-consumer events the NATS client raised for the bridge's subscription.</summary>
    public long SlowConsumerEvents => Volatile.Read(ref _slowConsumerEvents);

    /// <summary>
    /// JetStream only: outbound publishes the stream acknowledged as duplicates (a retry of a message it already had);
    /// inbound redeliveries of a message this bridge had already committed (acknowledged again, not written twice).
    /// </summary>
    public long Duplicates => Volatile.Read(ref _duplicates);

    /// <summary>JetStream outbound only: publish attempts that failed (no acknowledgement in time, no responders, a lost connection) and were retried.</summary>
    public long Retries => Volatile.Read(ref _retries);

    /// <summary>Outbound from a lossy subscriber only: messages the local producer overwrote before the bridge read them, or while it did.</summary>
    public long Lost => Volatile.Read(ref _lost);

    /// <summary>Inbound, core mode: the records committed straight from the NATS client's read buffer (a part of <see cref="Messages"/>).</summary>
    internal long DirectRecords => Volatile.Read(ref _directRecords);

    internal void CountDirectRecord(int bytes)
    {
        Interlocked.Increment(ref _directRecords);
        CountMessages(1, bytes);
    }

    internal void CountMessage(int bytes) => CountMessages(1, bytes);

    internal void CountMessages(int count, long bytes)
    {
        Interlocked.Add(ref _messages, count);
        Interlocked.Add(ref _bytes, bytes);
    }

    internal void CountRejected(int count = 1) => Interlocked.Add(ref _rejected, count);

    internal void CountMalformed(int count = 1) => Interlocked.Add(ref _malformed, count);

    internal void CountDropped(int count = 1) => Interlocked.Add(ref _dropped, count);

    internal void CountSlowConsumer() => Interlocked.Increment(ref _slowConsumerEvents);

    internal void CountDuplicate() => Interlocked.Increment(ref _duplicates);

    internal void CountRetry() => Interlocked.Increment(ref _retries);

    internal void SetLost(long lost) => Volatile.Write(ref _lost, lost);

    /// <inheritdoc />
    public override string ToString() =>
        $"messages={Messages} bytes={Bytes} rejected={Rejected} malformed={Malformed} dropped={Dropped} slowConsumer={SlowConsumerEvents} " +
        $"duplicates={Duplicates} retries={Retries} lost={Lost}";
}
