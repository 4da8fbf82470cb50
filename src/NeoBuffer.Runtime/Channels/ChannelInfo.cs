using System.Collections.Generic;

namespace NeoBuffer;

/// <summary>What <see cref="SharedChannel.List"/> reports about one channel: read from its header without attaching.</summary>
/// <param name="Name">The channel's name.</param>
/// <param name="Path">The segment file.</param>
/// <param name="Topology">Who writes and who reads.</param>
/// <param name="Capacity">Ring bytes.</param>
/// <param name="MaxMessageSize">Largest payload.</param>
/// <param name="Fingerprint">The message schema's fingerprint (0 for raw bytes).</param>
/// <param name="SchemaName">The message type's schema name, or null for raw bytes.</param>
/// <param name="SchemaText">The whole canonical schema text.</param>
/// <param name="Tail">The producers' position (MPSC: the claim counter).</param>
/// <param name="Head">The consumer's position (SPSC and MPSC).</param>
/// <param name="Completion">Whether the stream is open, completed or faulted.</param>
/// <param name="IsAttached">Whether any live process is attached.</param>
/// <param name="IsStale">Whether nobody is attached, the channel was not created to be kept, and it holds no completed stream for a reader (a sweep removes it).</param>
/// <param name="Participants">The rows of the participant table in use.</param>
public sealed record ChannelInfo(
    string Name,
    string Path,
    ChannelTopology Topology,
    long Capacity,
    int MaxMessageSize,
    ulong Fingerprint,
    string? SchemaName,
    string SchemaText,
    long Tail,
    long Head,
    ChannelCompletionState Completion,
    bool IsAttached,
    bool IsStale,
    IReadOnlyList<ParticipantInfo> Participants)
{
    /// <summary>
    /// Whether this is a duplex channel (<see cref="SharedChannel.CreateDuplex(string, SharedChannelOptions?)"/>): the
    /// other fields describe its first ring (the creator writes, the opener reads); its second ring runs the other way.
    /// </summary>
    public bool IsDuplex { get; init; }
}

/// <summary>One participant of a channel, as <see cref="SharedChannel.List"/> sees it.</summary>
/// <param name="Row">Its row in the participant table.</param>
/// <param name="Role">Writer, reader (SPSC, MPSC) or subscriber (broadcast).</param>
/// <param name="Pid">The process id it recorded.</param>
/// <param name="IsAlive">Whether its row lock is held: false means the process died (the kernel released the lock).</param>
/// <param name="Mode">A subscriber's mode.</param>
/// <param name="Position">A subscriber's read position; an MPSC writer's open claim (-1: none).</param>
/// <param name="Lost">Messages a lossy subscriber lost.</param>
public sealed record ParticipantInfo(int Row, ChannelRole Role, int Pid, bool IsAlive, SubscriberMode? Mode, long Position, long Lost);
