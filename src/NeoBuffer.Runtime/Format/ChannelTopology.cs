namespace NeoBuffer;

/// <summary>Who writes and who reads a channel. Stored in the channel header.</summary>
public enum ChannelTopology
{
    /// <summary>One producer, one consumer.</summary>
    SingleProducerSingleConsumer = 1,

    /// <summary>Many producers, one consumer.</summary>
    MultiProducerSingleConsumer = 2,

    /// <summary>One producer, many subscribers each seeing every record.</summary>
    Broadcast = 3,
}
