using System;
using System.Threading;
using NeoBuffer.Format;
using NeoBuffer.Interop;
using NeoBuffer.Segments;

namespace NeoBuffer.Ring;

/// <summary>
/// A role (producer, consumer, subscriber) held in a row of the participant table. The row's byte lock is the role:
/// whoever holds it owns the row, and a row whose State says active but whose lock nobody holds belongs to a process
/// that died (docs/format.md, "Liveness"). The pid and start time in the row are for people and tools.
/// <para>
/// Freeing a dead holder's row is a check-then-act: between "nobody holds its lock" and the stores that free it, a
/// restarted participant may take the row, and those stores would then free a live row (a broadcast writer ignores
/// and overruns that subscriber; an MPSC reader never recovers that writer's claims). So whoever frees a row first
/// takes the row's lock itself (<see cref="TryLockDead"/>): while it holds it nobody can take the row, and when it
/// cannot take it someone new owns the row and there is nothing to free. The lock is an OFD lock on the freeing
/// endpoint's own open file description, so it conflicts with every other endpoint, its own process's included (a
/// process-associated POSIX lock would merge with the process's own row locks, and dropping it would drop theirs).
/// It is shared, not exclusive, only so that a participant refused a row can tell "being freed, in a moment" from
/// "held" (<see cref="Acquire"/>, <see cref="AcquireAny"/>).
/// </para>
/// </summary>
internal sealed unsafe class ParticipantRole
{
    private readonly SharedSegment _segment;
    private readonly int _index;
    private readonly ParticipantRow* _row;

    private ParticipantRole(SharedSegment segment, int index)
    {
        _segment = segment;
        _index = index;
        _row = segment.Row(index);
    }

    /// <summary>The index of the row this role holds.</summary>
    public int Index => _index;

    /// <summary>The row this role holds.</summary>
    public ParticipantRow* Row => _row;

    /// <summary>Takes the first row in [<paramref name="first"/>, rows) no live participant holds.</summary>
    public static ParticipantRole AcquireAny(SharedSegment segment, int first, int kind, string roleName)
    {
        long deadline = 0;
        bool beingFreed;
        do
        {
            beingFreed = false;
            for (int i = first; i < segment.Geometry.ParticipantRows; i++)
            {
                if (TryAcquire(segment, i, kind, out ParticipantRole? role, mustBeIdle: true))
                {
                    return role;
                }

                beingFreed |= segment.IsRowLockedSharedByOther(i);
            }
        }
        while (beingFreed && WaitWhileFreed(ref deadline));

        throw new ChannelRoleTakenException(
            $"Channel '{segment.Name}' already has {segment.Geometry.ParticipantRows - first} {roleName}s, as many as it was created for. " +
            "Create it with a larger MaxProducers or MaxSubscribers.");
    }

    /// <summary>Takes row <paramref name="index"/>; a row held by a live participant is refused.</summary>
    public static ParticipantRole Acquire(SharedSegment segment, int index, int kind, string roleName)
    {
        long deadline = 0;
        do
        {
            if (TryAcquire(segment, index, kind, out ParticipantRole? role, mustBeIdle: false))
            {
                return role;
            }
        }
        while (segment.IsRowLockedSharedByOther(index) && WaitWhileFreed(ref deadline));

        ParticipantRow* row = segment.Row(index);
        throw new ChannelRoleTakenException(
            $"Channel '{segment.Name}' already has a {roleName} (pid {Volatile.Read(ref row->Pid)}). A {segment.Geometry.Topology} channel has one; dispose the other before opening a new one.");
    }

    /// <summary>
    /// Whether row <paramref name="index"/> says active (or acquiring) but its holder is gone: the kernel released its
    /// lock when it died. Only meaningful for rows this endpoint does not hold itself.
    /// </summary>
    /// <remarks>
    /// Acquiring counts: an acquirer sets it only while it holds the row's lock, so an acquiring row nobody locks belongs to
    /// one killed before it reached Active, which is as dead as any (its peers would otherwise wait on it for ever).
    /// </remarks>
    public static bool IsHolderDead(SharedSegment segment, int index)
    {
        bool dead = IsHeld(Volatile.Read(ref segment.Row(index)->State)) && !segment.IsRowLockedByOther(index);
        if (dead)
        {
            ProtocolPoint.Reached(ProtocolPoint.DeadRowFound);
        }

        return dead;
    }

    /// <summary>
    /// Locks row <paramref name="index"/> against takers if its holder is dead. True when the caller now holds the
    /// row's lock (shared) and the row still says active or acquiring: its holder is gone and nobody else can take the row, so its
    /// content stays as the dead holder left it until <see cref="UnlockDead"/>; the caller may act on it and free it
    /// (<see cref="FreeLocked"/>). False when a live participant holds the row (someone new took it) or it is not
    /// active (freed meanwhile): nothing to do. Call it after <see cref="IsHolderDead"/> said dead, and decide only on
    /// what is read after it returns.
    /// </summary>
    /// <remarks>
    /// Two threads of one endpoint (the reading thread's peer check, the completion watch) share its descriptor, so
    /// the lock alone does not keep them apart: <see cref="SharedSegment.TryLockDeadRow"/> also refuses a row another
    /// thread of this endpoint is handling, which is then not ours to act on.
    /// </remarks>
    public static bool TryLockDead(SharedSegment segment, int index)
    {
        if (!segment.TryLockDeadRow(index))
        {
            return false;
        }

        if (IsHeld(Volatile.Read(ref segment.Row(index)->State)))
        {
            return true;
        }

        segment.UnlockDeadRow(index);
        return false;
    }

    // Active, or Acquiring: a row someone took (see IsHolderDead).
    private static bool IsHeld(int state) => state is ParticipantRow.StateActive or ParticipantRow.StateAcquiring;

    /// <summary>Marks a dead holder's row free, once whatever it left is dealt with; the caller holds it (<see cref="TryLockDead"/>).</summary>
    public static void FreeLocked(SharedSegment segment, int index)
    {
        ParticipantRow* row = segment.Row(index);
        ProtocolPoint.Reached(ProtocolPoint.DeadRowFreeing);
        MarkFree(row);
    }

    /// <summary>Lets go of a row taken by <see cref="TryLockDead"/>.</summary>
    public static void UnlockDead(SharedSegment segment, int index) => segment.UnlockDeadRow(index);

    /// <summary>Frees row <paramref name="index"/> if its holder is dead and nobody has taken the row since; false otherwise.</summary>
    public static bool TryFreeDead(SharedSegment segment, int index)
    {
        if (!TryLockDead(segment, index))
        {
            return false;
        }

        try
        {
            FreeLocked(segment, index);
        }
        finally
        {
            UnlockDead(segment, index);
        }

        return true;
    }

    /// <summary>Gives the row back.</summary>
    public void Release()
    {
        MarkFree(_row);
        _segment.UnlockRow(_index);
    }

    // The order BroadcastProducer.SlowestTethered relies on: Mode, then Position -1 (which it skips), then State.
    private static void MarkFree(ParticipantRow* row)
    {
        Volatile.Write(ref row->Mode, 0);
        Volatile.Write(ref row->Position, -1);
        Volatile.Write(ref row->State, ParticipantRow.StateFree);
    }

    private static bool TryAcquire(SharedSegment segment, int index, int kind, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ParticipantRole? role, bool mustBeIdle)
    {
        role = null;
        if (!segment.TryLockRow(index))
        {
            return false;
        }

        // The lock is ours, so any earlier holder is gone. A dead MPSC writer may have left a claim behind: that row
        // stays the consumer's to clean up before anyone reuses it, unless the consumer's own rule says the
        // announcement no longer matters (see LeavesNoClaim). A close whose outcome is still owed is recorded here
        // first, as the consumer would, unless another writer is a live closer (MpscUnrecordedCompletion); then too
        // the row stays.
        ParticipantRow* row = segment.Row(index);
        bool deadWriter = mustBeIdle && Volatile.Read(ref row->State) != ParticipantRow.StateFree && kind == ParticipantRow.KindProducer;
        if (deadWriter)
        {
            MpscUnrecordedCompletion.FaultForLockedCloser(segment, index);
        }

        if (deadWriter && ((Volatile.Read(ref row->Position) >= 0 && !LeavesNoClaim(segment, row)) || MpscUnrecordedCompletion.IsOwed(segment, row)))
        {
            segment.UnlockRow(index);
            return false;
        }

        ProcessIdentity me = ProcessIdentity.Current;
        Volatile.Write(ref row->State, ParticipantRow.StateAcquiring);
        // A broadcast producer ignores the row until its subscriber sets the mode. Release: it may clear a dead MPSC
        // closer's mode, which only a stored Completion allows (above), and a consumer that acquires the cleared mode
        // must then see that Completion (MpscUnrecordedCompletion).
        Volatile.Write(ref row->Mode, 0);
        row->Kind = kind;
        row->Pid = me.Pid;
        row->StartTime = me.StartTime;
        row->PidNamespace = PidNamespace.Current;
        row->Generation++;
        row->Messages = 0; // a new holder's counts start at 0 (a counter reset, as metrics backends understand it)
        row->Bytes = 0;
        row->ParkedWaits = 0;
        Volatile.Write(ref row->State, ParticipantRow.StateActive);
        role = new ParticipantRole(segment, index);
        return true;
    }

    /// <summary>
    /// Whether a dead MPSC writer's announcement (its row is ours, exclusively locked) is one the consumer would free:
    /// it ends at or before Head (committed and consumed), or starts at or past ClaimTail (its CAS never happened).
    /// </summary>
    /// <remarks>
    /// The consumer decides on a dead row only under its shared lock, which our exclusive lock excludes, so it cannot
    /// be deciding on this row now, and the row holds still. Head and ClaimTail are loaded after our lock: the dead
    /// writer's last CAS, if any, is in that ClaimTail (its process is gone, and the kernel's lock release and our
    /// fcntl order the rest), so "starts at or past ClaimTail" means never claimed, and never will be. Head only grows,
    /// so "ends at or before Head" stays true. Any other announcement may cover a claim the consumer still has to pad.
    /// </remarks>
    private static bool LeavesNoClaim(SharedSegment segment, ParticipantRow* row)
    {
        long position = Volatile.Read(ref row->Position);
        long end = Volatile.Read(ref row->ClaimEnd);
        long head = Volatile.Read(ref segment.Header->Head);
        long claimTail = MpscClaimTail.PositionOf(Volatile.Read(ref segment.Header->ClaimTail));
        return MpscConsumer.IsSpentAnnouncement(position, end, head, claimTail);
    }

    // How long an acquirer waits for rows being freed: the freeing endpoint holds a row for a few stores, so this is
    // only reached when it was stopped or starved, and then the row counts as taken.
    private const long FreeingWaitMs = 1000;

    private static bool WaitWhileFreed(ref long deadline)
    {
        long now = Environment.TickCount64;
        if (deadline == 0)
        {
            deadline = now + FreeingWaitMs;
        }
        else if (now >= deadline)
        {
            return false;
        }

        Thread.Sleep(1);
        return true;
    }
}
