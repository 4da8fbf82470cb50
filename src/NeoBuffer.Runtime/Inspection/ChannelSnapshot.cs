using System;
using System.Collections.Generic;

namespace NeoBuffer;

/// <summary>
/// A channel's segment decoded field by field, as <see cref="ChannelInspector.Snapshot(string, string?)"/> read it
/// read-only at one moment (docs/format.md gives each field's meaning). For tools: the positions and counters move on
/// while the snapshot is shown.
/// </summary>
/// <param name="Name">The channel's name.</param>
/// <param name="Path">The segment file.</param>
/// <param name="Topology">Who writes and who reads.</param>
/// <param name="FormatVersion">The segment format version.</param>
/// <param name="HeaderSize">Bytes before the ring: header, participant table and schema text, whole pages.</param>
/// <param name="Capacity">Ring bytes.</param>
/// <param name="MaxMessageSize">Largest payload.</param>
/// <param name="Fingerprint">The message schema's fingerprint (0 for raw bytes).</param>
/// <param name="SchemaName">The message's schema name, or null for raw bytes or a schema text this version cannot parse.</param>
/// <param name="SchemaText">The canonical schema text stored in the header (empty for raw bytes).</param>
/// <param name="KeepSegment">Whether the creator asked to keep the segment when its participants are gone.</param>
/// <param name="CreatorPid">The creator's process id.</param>
/// <param name="CreatedAt">When the segment was created.</param>
/// <param name="AttachCount">Participants that attached so far (informative; the attach lock decides).</param>
/// <param name="FencedPublication">Whether publishers fence (a participant without membarrier attached).</param>
/// <param name="Tail">The producer's position (broadcast: the commit).</param>
/// <param name="TailSequence">Broadcast: the sequence number of the record that will start at <paramref name="Tail"/>.</param>
/// <param name="TailVersion">Broadcast: the seqlock over Tail and TailSequence (odd while they change).</param>
/// <param name="Head">The consumer's position (SPSC and MPSC).</param>
/// <param name="ClaimTail">MPSC: the claim counter, without its closed bit.</param>
/// <param name="ClaimsClosed">MPSC: whether completion closed the claim counter.</param>
/// <param name="TailIntent">Broadcast: the end of the producer's latest claim.</param>
/// <param name="Oldest">Broadcast: the start of the oldest record not yet overwritten.</param>
/// <param name="JoinEpoch">Broadcast: bumped by every tethered subscriber that joins.</param>
/// <param name="ReaderWake">The consumers' futex word: non-zero while one is parked or about to park.</param>
/// <param name="WriterWake">The producers' futex word.</param>
/// <param name="Completion">"open", "completed", "faulting" or "faulted".</param>
/// <param name="CompletionError">The reason a faulted channel gives, or null.</param>
/// <param name="UsedBytes">Ring bytes the slowest reader has still to read (broadcast: the slowest subscriber), at most the capacity.</param>
/// <param name="IsAttached">Whether any live process is attached.</param>
/// <param name="IsStale">Whether nobody is attached and the channel is not kept: a sweep (<c>SharedChannel.RemoveStale</c>) removes it.</param>
/// <param name="Participants">The rows of the participant table in use.</param>
public sealed record ChannelSnapshot(
    string Name,
    string Path,
    ChannelTopology Topology,
    int FormatVersion,
    int HeaderSize,
    long Capacity,
    int MaxMessageSize,
    ulong Fingerprint,
    string? SchemaName,
    string SchemaText,
    bool KeepSegment,
    int CreatorPid,
    DateTimeOffset CreatedAt,
    int AttachCount,
    bool FencedPublication,
    long Tail,
    long TailSequence,
    long TailVersion,
    long Head,
    long ClaimTail,
    bool ClaimsClosed,
    long TailIntent,
    long Oldest,
    long JoinEpoch,
    int ReaderWake,
    int WriterWake,
    string Completion,
    string? CompletionError,
    long UsedBytes,
    bool IsAttached,
    bool IsStale,
    IReadOnlyList<ParticipantSnapshot> Participants);

/// <summary>One row of a channel's participant table, as <see cref="ChannelInspector"/> read it.</summary>
/// <param name="Row">Its row in the table.</param>
/// <param name="Role">"writer", "reader" or "subscriber".</param>
/// <param name="State">"acquiring" (being filled in), "active", or "closing" (an MPSC writer completing the channel: it
/// has closed, or is closing, the claim counter and not yet recorded the completion).</param>
/// <param name="Pid">The process id it recorded.</param>
/// <param name="StartTime">The process's start time (with the pid, the liveness proof).</param>
/// <param name="Generation">Bumped on every claim of the row.</param>
/// <param name="IsAlive">Whether its row lock is held: false means the process died.</param>
/// <param name="Mode">A subscriber's mode, once it has published its position.</param>
/// <param name="Position">A subscriber's read position; an MPSC writer's open claim and the MPSC reader's record being zeroed (-1: none).</param>
/// <param name="ClaimEnd">MPSC: the end of the claim or record at <paramref name="Position"/>.</param>
/// <param name="Lost">Messages a lossy subscriber lost.</param>
/// <param name="Messages">Messages it wrote (a writer) or read (a reader or subscriber) since it took the row.</param>
/// <param name="Bytes">Their payload bytes.</param>
/// <param name="ParkedWaits">Its waits that parked on the futex.</param>
public sealed record ParticipantSnapshot(
    int Row,
    string Role,
    string State,
    int Pid,
    ulong StartTime,
    ulong Generation,
    bool IsAlive,
    SubscriberMode? Mode,
    long Position,
    long ClaimEnd,
    long Lost,
    long Messages,
    long Bytes,
    long ParkedWaits);
