namespace NeoBuffer.Nats;

/// <summary>The NATS headers a bridge puts on every message it publishes (and reads on every message it receives).</summary>
public static class NatsBridgeHeaders
{
    /// <summary>The schema fingerprint of the record, 16 lower-case hex digits (<c>0000000000000000</c> for raw bytes).</summary>
    public const string Fingerprint = "NeoBuffer-Fingerprint";

    /// <summary>The schema name of the record (<see cref="MessageLayout.Name"/>); absent for raw bytes.</summary>
    public const string Schema = "NeoBuffer-Schema";

    /// <summary>The bridge's sequence number of the message, from 1, in decimal; with <see cref="Bridge"/>, identifies it.</summary>
    public const string Sequence = "NeoBuffer-Seq";

    /// <summary>The id of the outbound bridge run that published the message (random per run unless set in the options).</summary>
    public const string Bridge = "NeoBuffer-Bridge";

    /// <summary>
    /// On an empty message, marks the end of the stream: the local channel the outbound bridge read was completed. Its
    /// value is <c>ok</c>, or the error the channel was completed with; the inbound bridge completes its channel alike.
    /// </summary>
    public const string End = "NeoBuffer-End";
}
