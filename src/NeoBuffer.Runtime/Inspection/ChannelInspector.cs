using System;
using System.Collections.Generic;
using System.Text;
using System.Threading;
using NeoBuffer.Format;
using NeoBuffer.Inspection;
using NeoBuffer.Metrics;
using NeoBuffer.Ring;
using NeoBuffer.Segments;

namespace NeoBuffer;

/// <summary>
/// A read-only look into channels, for tools (the <c>neobuffer</c> command, dashboards): a channel's header, participant
/// table, positions and counters decoded (<see cref="Snapshot"/>), and a spy that follows the messages of a channel
/// without attaching to it (<see cref="OpenSpy"/>). Neither writes a byte of the segment nor takes a lock on it: the
/// file is opened and mapped read-only, and every value read from it is checked before use, so a corrupted or hostile
/// segment gives an exception with a clear message, never a fault or a wrong address.
/// </summary>
public static unsafe class ChannelInspector
{
    /// <summary>Reads the channel <paramref name="name"/> in <paramref name="directory"/> (default: NEOBUFFER_DIR, else /dev/shm).</summary>
    /// <exception cref="ArgumentException">The name is not a valid channel name.</exception>
    /// <exception cref="ChannelNotFoundException">No channel of that name exists.</exception>
    /// <exception cref="ChannelFormatException">The file is not a whole, valid channel, or changed while it was read.</exception>
    public static ChannelSnapshot Snapshot(string name, string? directory = null)
    {
        using ReadOnlySegment segment = OpenSegment(name, directory);
        ChannelSnapshot snapshot = Read(segment);
        segment.CheckUnchanged();
        return snapshot;
    }

    /// <summary>
    /// Reads every channel in <paramref name="directory"/> (default: NEOBUFFER_DIR, else /dev/shm), by name. A file that
    /// is not a valid channel, or that disappears or changes while it is read, is left out.
    /// </summary>
    public static IReadOnlyList<ChannelSnapshot> SnapshotAll(string? directory = null)
    {
        var snapshots = new List<ChannelSnapshot>();
        foreach ((string name, string path) in SegmentDirectory.Segments(ChannelName.ResolveDirectory(directory)))
        {
            try
            {
                using ReadOnlySegment segment = ReadOnlySegment.Open(name, path);
                ChannelSnapshot snapshot = Read(segment);
                segment.CheckUnchanged();
                snapshots.Add(snapshot);
            }
            catch (SharedChannelException)
            {
                // Not a channel, not whole yet, gone or changed meanwhile: not one to list.
            }
        }

        snapshots.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return snapshots;
    }

    /// <summary>
    /// Opens a read-only spy on the messages of channel <paramref name="name"/>, at the oldest message still in its ring
    /// (<paramref name="fromOldest"/>) or after the newest.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not a valid channel name.</exception>
    /// <exception cref="ChannelNotFoundException">No channel of that name exists.</exception>
    /// <exception cref="ChannelFormatException">The file is not a whole, valid channel.</exception>
    /// <exception cref="ChannelCorruptedException">Its positions are impossible.</exception>
    public static ChannelSpy OpenSpy(string name, string? directory = null, bool fromOldest = true)
    {
        ReadOnlySegment segment = OpenSegment(name, directory);
        try
        {
            return new ChannelSpy(segment, fromOldest);
        }
        catch
        {
            segment.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Removes channel <paramref name="name"/>: its file is unlinked (processes attached keep their mapping; new ones no
    /// longer find it). Refused while a live process is attached, or when the file is not a valid channel, unless
    /// <paramref name="force"/>.
    /// </summary>
    /// <exception cref="ChannelNotFoundException">No channel of that name exists.</exception>
    /// <exception cref="ChannelInUseException">A live process is attached, and <paramref name="force"/> is false.</exception>
    /// <exception cref="ChannelFormatException">The file is not a valid channel, and <paramref name="force"/> is false.</exception>
    public static void Remove(string name, string? directory = null, bool force = false)
    {
        ChannelName.Validate(name);
        SegmentDirectory.Remove(ChannelName.PathOf(ChannelName.ResolveDirectory(directory), name), name, force);
    }

    // A row can be freed and taken by another endpoint while it is read (the owner writes it with plain stores, and
    // the tool takes no lock). An acquisition stores Acquiring, bumps Generation, resets the counters, then stores
    // Active, so a row whose State and Generation read the same before and after its fields held one owner throughout;
    // otherwise it is read again. Rows that keep changing (a churn faster than a few reads) are left out of this look.
    private const int RowReadAttempts = 4;

    private static ParticipantSnapshot? ReadRow(ReadOnlySegment segment, int row)
    {
        ParticipantRow* slot = segment.Row(row);
        for (int attempt = 0; attempt < RowReadAttempts; attempt++)
        {
            int state = Volatile.Read(ref slot->State);
            ulong generation = Volatile.Read(ref slot->Generation);
            if (state is not (ParticipantRow.StateAcquiring or ParticipantRow.StateActive))
            {
                return null;
            }

            int mode = Volatile.Read(ref slot->Mode);
            int kind = Volatile.Read(ref slot->Kind);
            int pid = Volatile.Read(ref slot->Pid);
            ulong startTime = Volatile.Read(ref slot->StartTime);
            ProtocolPoint.Reached(ProtocolPoint.InspectionRowRead);
            long position = Volatile.Read(ref slot->Position);
            long claimEnd = Volatile.Read(ref slot->ClaimEnd);
            long lost = Volatile.Read(ref slot->Lost);
            long messages = Volatile.Read(ref slot->Messages);
            long bytes = Volatile.Read(ref slot->Bytes);
            long parkedWaits = Volatile.Read(ref slot->ParkedWaits);
            if (Volatile.Read(ref slot->Generation) != generation || Volatile.Read(ref slot->State) != state)
            {
                continue;
            }

            return new ParticipantSnapshot(
                row,
                EndpointRoles.Of(kind == ParticipantRow.KindProducer, segment.Geometry.Topology).Name(),
                StateName(state, kind, mode),
                pid,
                startTime,
                generation,
                segment.IsRowAlive(row),
                mode == ParticipantRow.ModeLossy ? SubscriberMode.Lossy : mode == ParticipantRow.ModeTethered ? SubscriberMode.Tethered : null,
                position,
                claimEnd,
                lost,
                messages,
                bytes,
                parkedWaits);
        }

        return null;
    }

    // An MPSC writer announcing closing (its mode) is completing the channel: one that shows it and is dead died between
    // closing the claims and recording the outcome, which its reader faults the channel for.
    private static string StateName(int state, int kind, int mode) =>
        state != ParticipantRow.StateActive ? "acquiring"
        : kind == ParticipantRow.KindProducer && mode == ParticipantRow.ModeClosing ? "closing"
        : "active";

    private static ReadOnlySegment OpenSegment(string name, string? directory)
    {
        ChannelName.Validate(name);
        return ReadOnlySegment.Open(name, ChannelName.PathOf(ChannelName.ResolveDirectory(directory), name));
    }

    private static ChannelSnapshot Read(ReadOnlySegment segment)
    {
        SegmentGeometry geometry = segment.Geometry;
        ChannelHeader* h = segment.Header;
        var participants = new List<ParticipantSnapshot>();
        for (int row = 0; row < geometry.ParticipantRows; row++)
        {
            if (ReadRow(segment, row) is ParticipantSnapshot participant)
            {
                participants.Add(participant);
            }
        }

        int completion = Volatile.Read(ref h->Completion);
        string? error = null;
        if (completion == CompletionState.Faulted)
        {
            // The reason is written before Faulted is release-stored; its length comes from the peer, so it is clamped.
            int length = Math.Clamp(Volatile.Read(ref h->CompletionErrorLength), 0, 248);
            error = new UTF8Encoding(false, throwOnInvalidBytes: false).GetString((byte*)&h->CompletionError, length);
        }

        bool attached = segment.IsAttached;
        bool keep = (h->Flags & ChannelHeader.FlagKeep) != 0;
        long claimTail = Volatile.Read(ref h->ClaimTail);
        return new ChannelSnapshot(
            segment.Name, segment.Path, geometry.Topology, (int)h->FormatVersion, geometry.HeaderSize, geometry.Capacity, geometry.MaxPayloadSize,
            geometry.Fingerprint, MessageSchema.TryParse(geometry.SchemaText, out MessageSchema? schema, out _) ? schema.Name : null, geometry.SchemaText,
            keep, h->CreatorPid, DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(h->CreatedUnixTimeMs, 0, 253402300799999)),
            Volatile.Read(ref h->AttachCount), Volatile.Read(ref h->FencedPublication) != 0,
            Volatile.Read(ref h->Tail), Volatile.Read(ref h->TailSequence), Volatile.Read(ref h->TailVersion), Volatile.Read(ref h->Head),
            claimTail & ~Format.MpscClaimTail.ClosedBit, (claimTail & Format.MpscClaimTail.ClosedBit) != 0,
            Volatile.Read(ref h->TailIntent), Volatile.Read(ref h->Oldest), Volatile.Read(ref h->JoinEpoch),
            Volatile.Read(ref h->ReaderWake), Volatile.Read(ref h->WriterWake),
            completion switch
            {
                CompletionState.Completed => "completed",
                CompletionState.Faulted => "faulted",
                CompletionState.Faulting => "faulting",
                _ => "open",
            },
            error,
            RingOccupancy.UsedBytes(h, segment.Row(0), geometry.ParticipantRows, geometry.Topology, geometry.Capacity),
            attached, !attached && !keep, participants);
    }
}
