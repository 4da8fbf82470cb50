using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using NeoBuffer.Format;
using NeoBuffer.Interop;
using NeoBuffer.Segments;

namespace NeoBuffer.Handles;

/// <summary>
/// Where a channel's handle socket is, and who may be at either end of it. The address is a name in the abstract
/// socket namespace made from the segment's device and inode, which every process mapping the segment (file or memfd,
/// reopened or not) sees alike and no two live segments share, and the file offset of the ring image's participant
/// table (one per direction of a duplex channel); an abstract socket leaves no file behind, however its
/// owner ends. Anyone in the network namespace can bind or connect such a name, so each end checks the other's
/// kernel-recorded pid (SO_PEERCRED) against the live rows of the channel's participant table.
/// </summary>
internal static unsafe class HandleAddress
{
    /// <summary>
    /// The segment of the endpoint a <see cref="HandleSender"/> (a writer) or a <see cref="HandleReceiver"/> (a reader)
    /// is made for, after checking that the endpoint is open and that its channel can pass handles: a batch goes to
    /// exactly one reader, so a broadcast channel, whose messages every subscriber reads, cannot.
    /// </summary>
    public static SharedSegment SegmentOf(IDisposable endpoint, [CallerArgumentExpression(nameof(endpoint))] string? name = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint, name);
        (bool disposed, SharedSegment segment) = endpoint switch
        {
            SharedChannelReader reader => (reader.IsDisposed, reader.Segment),
            SharedChannelWriter writer => (writer.IsDisposed, writer.Segment),
            _ => throw new ArgumentException($"Handles go with a channel's writer or reader, not a {endpoint.GetType().Name}.", name),
        };
        ObjectDisposedException.ThrowIf(disposed, endpoint);
        if (segment.Geometry.Topology == ChannelTopology.Broadcast)
        {
            throw new NotSupportedException($"Channel '{segment.Name}' is a broadcast channel: handles go to exactly one reader, so they can be passed on SPSC and MPSC channels only.");
        }

        return segment;
    }

    /// <summary>The abstract socket name of <paramref name="segment"/>'s handle socket.</summary>
    public static string Of(SharedSegment segment)
    {
        LibC.StatX status;
        if (LibC.Statx(segment.Descriptor, string.Empty, LibC.AT_EMPTY_PATH, LibC.STATX_INO, &status) != 0)
        {
            throw new SharedChannelException($"Cannot identify the segment of channel '{segment.Name}' for handle passing: statx failed: {LibC.Describe(Marshal.GetLastSystemError())}.");
        }

        // The file offset of the participant table's first row tells apart two ring images in one file (the two
        // directions of a duplex channel): each direction has a socket of its own.
        return $"neobuffer.handles.{status.DeviceMajor:x}.{status.DeviceMinor:x}.{status.Inode:x}.{segment.RowLockOffset(0):x}";
    }

    /// <summary>
    /// Whether process <paramref name="pid"/> holds a live row of <paramref name="kind"/> (producer or consumer) in
    /// <paramref name="segment"/>: the row is active, names that pid in this process's pid namespace, and its lock is
    /// held by another open file description than this endpoint's (a dead holder's lock is gone, so a dead row never
    /// passes).
    /// </summary>
    /// <remarks>
    /// The kernel gives a peer's pid as this process sees it, and a row holds its holder's pid as the holder sees it:
    /// the two name one process only when the holder is in this pid namespace. A holder in another one (a container
    /// sharing the directory and the network namespace) is never matched, so a process here that happens to have the
    /// pid it recorded is not taken for it.
    /// </remarks>
    public static bool HoldsLiveRow(SharedSegment segment, int pid, int kind)
    {
        for (int i = 0; i < segment.Geometry.ParticipantRows; i++)
        {
            ParticipantRow* slot = segment.Row(i);
            if (Volatile.Read(ref slot->State) == ParticipantRow.StateActive &&
                Names(slot, pid, kind) &&
                segment.IsRowLockedByOther(i))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether process <paramref name="pid"/> is the last holder of a row of <paramref name="kind"/> that it no longer
    /// holds: a writer that left the channel (or died) and whose row nobody took since. Its pid is not taken for
    /// another process's: the row names it in this pid namespace, and no process lives with that pid now but the one
    /// that held the row (same start time), if any.
    /// </summary>
    public static bool HeldRowLast(SharedSegment segment, int pid, int kind)
    {
        for (int i = 0; i < segment.Geometry.ParticipantRows; i++)
        {
            ParticipantRow* slot = segment.Row(i);
            if (!Names(slot, pid, kind) || (Volatile.Read(ref slot->State) == ParticipantRow.StateActive && segment.IsRowLockedByOther(i)))
            {
                continue;
            }

            ulong? living = ProcessIdentity.ReadStartTime(pid);
            if (living is null || living == Volatile.Read(ref slot->StartTime))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Names(ParticipantRow* slot, int pid, int kind) =>
        Volatile.Read(ref slot->Kind) == kind &&
        Volatile.Read(ref slot->Pid) == pid &&
        PidNamespace.Current != 0 &&
        Volatile.Read(ref slot->PidNamespace) == PidNamespace.Current;
}
