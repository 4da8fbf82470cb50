using System.Threading;
using NeoBuffer.Format;
using NeoBuffer.Interop;
using NeoBuffer.Segments;

namespace NeoBuffer.Ring;

/// <summary>A role (producer or consumer) held in a participant slot, with the proof of liveness peers check.</summary>
internal sealed unsafe class ParticipantRole
{
    private readonly ParticipantSlot* _slot;

    private ParticipantRole(ParticipantSlot* slot) => _slot = slot;

    /// <summary>The row this role holds.</summary>
    public ParticipantSlot* Slot => _slot;

    /// <summary>Takes the first free slot in [<paramref name="first"/>, slots) for this process.</summary>
    public static ParticipantRole ClaimAny(SharedSegment segment, int first, int kind, string roleName)
    {
        for (int i = first; i < segment.Geometry.ParticipantSlots; i++)
        {
            try
            {
                return Claim(segment, i, kind, roleName);
            }
            catch (ChannelRoleTakenException)
            {
                // Taken by a live participant: try the next row.
            }
        }

        throw new ChannelRoleTakenException(
            $"Channel '{segment.Name}' already has {segment.Geometry.ParticipantSlots - first} {roleName}s, as many as it was created for. " +
            "Create it with a larger MaxProducers or MaxSubscribers.");
    }

    /// <summary>
    /// Takes slot <paramref name="index"/> for this process. A slot held by a process that no longer exists (pid and
    /// start time gone) is taken over; one held by a live process is refused.
    /// </summary>
    public static ParticipantRole Claim(SharedSegment segment, int index, int kind, string roleName)
    {
        ParticipantSlot* slot = segment.Slot(index);
        while (true)
        {
            int state = Volatile.Read(ref slot->State);
            if (state == ParticipantSlot.StateFree)
            {
                if (Interlocked.CompareExchange(ref slot->State, ParticipantSlot.StateClaiming, ParticipantSlot.StateFree) == ParticipantSlot.StateFree)
                {
                    break;
                }

                continue;
            }

            var holder = new ProcessIdentity(Volatile.Read(ref slot->Pid), Volatile.Read(ref slot->StartTime));
            if (state == ParticipantSlot.StateActive && !holder.IsAlive &&
                Interlocked.CompareExchange(ref slot->State, ParticipantSlot.StateClaiming, ParticipantSlot.StateActive) == ParticipantSlot.StateActive)
            {
                break;
            }

            if (state == ParticipantSlot.StateClaiming)
            {
                Thread.SpinWait(20);
                continue;
            }

            throw new ChannelRoleTakenException(
                $"Channel '{segment.Name}' already has a {roleName} (pid {holder.Pid}). A {segment.Geometry.Topology} channel has one; dispose the other before opening a new one.");
        }

        ProcessIdentity me = ProcessIdentity.Current;
        slot->Mode = 0; // a broadcast producer ignores the row until its subscriber sets the mode
        slot->Kind = kind;
        slot->Pid = me.Pid;
        slot->StartTime = me.StartTime;
        slot->Generation++;
        Volatile.Write(ref slot->State, ParticipantSlot.StateActive);
        return new ParticipantRole(slot);
    }

    /// <summary>Gives the slot back.</summary>
    public void Release()
    {
        Volatile.Write(ref _slot->Mode, 0);
        Volatile.Write(ref _slot->State, ParticipantSlot.StateFree);
    }
}
