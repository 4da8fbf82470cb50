namespace NeoBuffer.Testing;

/// <summary>
/// The layout of an MPSC chaos episode's <see cref="Harness.SharedCounters"/>: per producer, how many records it has
/// committed (its own count, stored after each commit) and how many of them the consumer has received (the consumer's,
/// stored before it releases each record); then the consumer's findings. Every consumer incarnation continues from the
/// counts its killed predecessor left, so the parent judges the whole stream however often the consumer died.
/// </summary>
public static class MpscBoard
{
    public const int Producers = CheckedChannel.MaxParticipants;

    /// <summary>ProducerKey + 1 of the last record a consumer recorded (0: none): the one record a killed consumer may see again.</summary>
    public const int Last = 2 * Producers;

    /// <summary>Records skipped in a producer's stream: a later record of it arrived first, so these were lost.</summary>
    public const int Gaps = Last + 1;

    /// <summary>Records at or below one already received from the same producer, other than the one allowed redelivery.</summary>
    public const int Backwards = Last + 2;

    public const int Corrupt = Last + 3;

    /// <summary>The record a killed consumer had recorded but not yet released, read again by its successor (allowed).</summary>
    public const int Redelivered = Last + 4;

    public const int Consumed = Last + 5;

    /// <summary><see cref="System.Environment.TickCount64"/> at the consumer's last pass through its loop.</summary>
    public const int ConsumerBeat = Last + 6;

    public const int Size = Last + 8;

    public static int Committed(long producer) => (int)producer;

    public static int Received(long producer) => Producers + (int)producer;
}
