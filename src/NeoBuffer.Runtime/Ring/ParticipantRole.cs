using System.Threading;
using NeoBuffer.Format;
using NeoBuffer.Interop;
using NeoBuffer.Segments;

namespace NeoBuffer.Ring;

/// <summary>
/// A role (producer, consumer, subscriber) held in a row of the participant table. The row's byte lock is the role:
/// whoever holds it owns the row, and a row whose State says active but whose lock nobody holds belongs to a process
/// that died (docs/format.md, "Liveness"). The pid and start time in the row are for people and tools.
/// </summary>
internal sealed unsafe class ParticipantRole
{
    private readonly SharedSegment _segment;
    private readonly int _index;
    private readonly ParticipantSlot* _slot;

    private ParticipantRole(SharedSegment segment, int index)
    {
        _segment = segment;
        _index = index;
        _slot = segment.Slot(index);
    }

    /// <summary>The row this role holds.</summary>
    public ParticipantSlot* Slot => _slot;

    /// <summary>Takes the first row in [<paramref name="first"/>, rows) no live participant holds.</summary>
    public static ParticipantRole ClaimAny(SharedSegment segment, int first, int kind, string roleName)
    {
        for (int i = first; i < segment.Geometry.ParticipantSlots; i++)
        {
            if (TryClaim(segment, i, kind, out ParticipantRole? role, mustBeIdle: true))
            {
                return role;
            }
        }

        throw new ChannelRoleTakenException(
            $"Channel '{segment.Name}' already has {segment.Geometry.ParticipantSlots - first} {roleName}s, as many as it was created for. " +
            "Create it with a larger MaxProducers or MaxSubscribers.");
    }

    /// <summary>Takes row <paramref name="index"/>; a row held by a live participant is refused.</summary>
    public static ParticipantRole Claim(SharedSegment segment, int index, int kind, string roleName)
    {
        if (TryClaim(segment, index, kind, out ParticipantRole? role, mustBeIdle: false))
        {
            return role;
        }

        ParticipantSlot* slot = segment.Slot(index);
        throw new ChannelRoleTakenException(
            $"Channel '{segment.Name}' already has a {roleName} (pid {Volatile.Read(ref slot->Pid)}). A {segment.Geometry.Topology} channel has one; dispose the other before opening a new one.");
    }

    /// <summary>
    /// Whether row <paramref name="index"/> says active but its holder is gone: the kernel released its lock when it
    /// died. Only meaningful for rows this endpoint does not hold itself.
    /// </summary>
    public static bool IsHolderDead(SharedSegment segment, int index)
    {
        bool dead = Volatile.Read(ref segment.Slot(index)->State) == ParticipantSlot.StateActive && !segment.IsSlotLockedByOther(index);
        if (dead)
        {
            ProtocolPoint.Reached(ProtocolPoint.DeadRowFound);
        }

        return dead;
    }

    /// <summary>Marks a dead holder's row free (its lock is already gone), once whatever it left is dealt with.</summary>
    public static void ClearDead(SharedSegment segment, int index)
    {
        ParticipantSlot* slot = segment.Slot(index);
        Volatile.Write(ref slot->Mode, 0);
        Interlocked.CompareExchange(ref slot->State, ParticipantSlot.StateFree, ParticipantSlot.StateActive);
    }

    /// <summary>Gives the row back.</summary>
    public void Release()
    {
        Volatile.Write(ref _slot->Mode, 0);
        Volatile.Write(ref _slot->Position, -1);
        Volatile.Write(ref _slot->State, ParticipantSlot.StateFree);
        _segment.UnlockSlot(_index);
    }

    private static bool TryClaim(SharedSegment segment, int index, int kind, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ParticipantRole? role, bool mustBeIdle)
    {
        role = null;
        if (!segment.TryLockSlot(index))
        {
            return false;
        }

        // The lock is ours, so any earlier holder is gone. A dead MPSC writer may have left a claim behind: that row
        // stays the consumer's to clean up before anyone reuses it.
        ParticipantSlot* slot = segment.Slot(index);
        if (mustBeIdle && Volatile.Read(ref slot->State) == ParticipantSlot.StateActive && kind == ParticipantSlot.KindProducer &&
            Volatile.Read(ref slot->Position) >= 0)
        {
            segment.UnlockSlot(index);
            return false;
        }

        ProcessIdentity me = ProcessIdentity.Current;
        Volatile.Write(ref slot->State, ParticipantSlot.StateClaiming);
        slot->Mode = 0; // a broadcast producer ignores the row until its subscriber sets the mode
        slot->Kind = kind;
        slot->Pid = me.Pid;
        slot->StartTime = me.StartTime;
        slot->Generation++;
        Volatile.Write(ref slot->State, ParticipantSlot.StateActive);
        role = new ParticipantRole(segment, index);
        return true;
    }
}
