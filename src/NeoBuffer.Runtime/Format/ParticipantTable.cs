namespace NeoBuffer.Format;

/// <summary>
/// Which row of the participant table each role takes, per topology, and how many rows a channel has
/// (docs/format.md, "Participant table"). The row numbers are part of the format: every participant of a channel,
/// whatever its version, must agree on them.
/// </summary>
internal static class ParticipantTable
{
    /// <summary>SPSC: the writer's row.</summary>
    public const int SpscWriterRow = 0;

    /// <summary>SPSC: the reader's row.</summary>
    public const int SpscReaderRow = 1;

    /// <summary>SPSC: rows in the table.</summary>
    public const int SpscRows = 2;

    /// <summary>MPSC: the reader's row; the writers take any of the others.</summary>
    public const int MpscReaderRow = 0;

    /// <summary>MPSC: the first writer row.</summary>
    public const int MpscFirstWriterRow = 1;

    /// <summary>Broadcast: the writer's row; the subscribers take any of the others.</summary>
    public const int BroadcastWriterRow = 0;

    /// <summary>Broadcast: the first subscriber row.</summary>
    public const int BroadcastFirstSubscriberRow = 1;

    /// <summary>Rows in the table of a new channel of <paramref name="topology"/>.</summary>
    public static int RowsFor(ChannelTopology topology, int maxProducers, int maxSubscribers) => topology switch
    {
        ChannelTopology.MultiProducerSingleConsumer => MpscFirstWriterRow + maxProducers,
        ChannelTopology.Broadcast => BroadcastFirstSubscriberRow + maxSubscribers,
        _ => SpscRows,
    };
}
