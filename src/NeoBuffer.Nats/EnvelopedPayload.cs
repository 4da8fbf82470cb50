using System;
using System.Buffers;
using NATS.Client.Core;

namespace NeoBuffer.Nats;

/// <summary>A message as a bridge publishes it: the envelope, then the body (a record in the ring, or an end reason).</summary>
internal readonly record struct EnvelopedPayload(Envelope Envelope, ReadOnlyMemory<byte> Body);

/// <summary>
/// Writes an <see cref="EnvelopedPayload"/> straight into the NATS connection's write buffer, during the publish call:
/// the record goes from the ring to the socket buffer with no copy of the bridge's own, as a bare payload would.
/// </summary>
internal sealed class EnvelopedPayloadSerializer : INatsSerialize<EnvelopedPayload>
{
    public static readonly EnvelopedPayloadSerializer Default = new();

    public void Serialize(IBufferWriter<byte> bufferWriter, EnvelopedPayload value)
    {
        value.Envelope.WriteTo(bufferWriter.GetSpan(Envelope.Size));
        bufferWriter.Advance(Envelope.Size);
        bufferWriter.Write(value.Body.Span);
    }
}
