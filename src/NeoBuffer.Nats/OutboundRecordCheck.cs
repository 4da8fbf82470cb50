using System;

namespace NeoBuffer.Nats;

/// <summary>
/// Checks a record read from the local ring against the channel's layout before it is published under the layout's
/// fingerprint. A local peer can put anything into the ring (an untyped writer on a typed channel, a process writing
/// into the shared file): the bridge must not vouch for it on the network as a record of the schema. The same check
/// the inbound bridge makes on what arrives, so what one refuses the other never sends.
/// </summary>
internal sealed class OutboundRecordCheck(MessageLayout? layout, string bridgeId, string channel)
{
    private readonly RecordCheck? _check = layout is null ? null : new RecordCheck(layout);

    /// <exception cref="NatsBridgeException">The record is not well-formed (the message says what is wrong).</exception>
    public void Ensure(ReadOnlySpan<byte> record, long position)
    {
        if (_check?.Problem(record) is { } problem)
        {
            throw Malformed(problem, record.Length, position);
        }
    }

    public NatsBridgeException Malformed(string problem, int length, long position) => new(
        $"NATS bridge {bridgeId}: the record {(position >= 0 ? $"at position {position} " : "")}of channel '{channel}' ({length} bytes) is not a well-formed " +
        $"'{layout!.Name}': {problem}. It was not published, nor anything after it; a local writer put it in the ring, which needs fixing before the bridge is started again.");

    /// <summary>The problem with <paramref name="record"/>, or null; for a record already consumed, reported after what came before it.</summary>
    public string? Problem(ReadOnlySpan<byte> record) => _check?.Problem(record);
}
