using System.Threading;
using NeoBuffer.Format;
using NeoBuffer.Segments;

namespace NeoBuffer.Ring;

/// <summary>
/// An MPSC channel whose claim counter is closed (<see cref="MpscClaimTail.ClosedBit"/>) while its Completion still
/// reads open (docs/format.md, "MPSC protocol", Completion). No claim can pass the bit, so nothing more will be written;
/// only the outcome is missing. Either the closer is between its two stores (wait: it records the outcome), or it died
/// there, or the bit was set by a peer that follows no closer's protocol. In the last two cases the consumer faults
/// the channel in the closer's stead, so that its readers read everything committed and then get the end, instead of
/// waiting for ever.
/// <para>
/// The closer's side (<see cref="MpscProducer.TryComplete"/>): release-store Mode = closing in its row (A), CAS the bit
/// into ClaimTail (B, a full fence), store Completion (C, a CAS), release-store Mode = 0 (D). The consumer's side
/// (<see cref="FaultIfCloserGone"/>): acquire-load ClaimTail (1) and see the bit, acquire-load Completion (2) and see it
/// open, acquire-load every writer row's Mode (3), acquire-load Completion again (4).
/// </para>
/// <para>
/// Why "no row announces closing and (4) reads open" proves the bit was set by no completing writer. Suppose a closer
/// set it: (1) read the value of its CAS B, or of a later read-modify-write of ClaimTail (they form B's release
/// sequence), so A, before B, is visible to (3). Its row's Mode then reads closing, or a store made after A in that word's order. The
/// closer's own next store is D, made after C: (3) acquiring D makes C visible to (4). Any other store to that Mode is
/// made by whoever frees the row (the consumer, <see cref="MpscConsumer.ReclaimFromDeadPeers"/>) or takes it (a new
/// writer, <see cref="ParticipantRole"/>) after the closer died or left: the closer leaves only after D; and a dead
/// row is freed or taken only under its lock, when the dead closer's B is visible, and only if <see cref="IsOwed"/>
/// says its announcement is spent, which with the bit set means Completion was loaded stored before that release
/// store of Mode, so again (4) sees it. Hence a closer that set the bit is either seen announcing in (3) or has its
/// Completion seen in (4). The window between C and D is covered too: a closer seen there while alive is waited for
/// (its Completion is stored, which the next check sees); one dead there is faulted, but the fault is a CAS from open
/// and fails against the stored outcome, which stands.
/// </para>
/// <para>
/// A row announcing closing may also be a writer whose close lost its CAS (another closer, or a peer, set the bit
/// first) and has not withdrawn yet: live, it is waited for (it withdraws at once); dead, it is taken for the closer.
/// The fault then names a writer that did die while completing; and if the real closer is alive, its row announces too,
/// and every row is looked at before deciding: any live announcer means wait.
/// </para>
/// </summary>
internal static unsafe class MpscUnrecordedCompletion
{
    /// <summary>
    /// Run by the consumer in a quiet slice of a wait and by its completion watch: faults the channel when its claim
    /// counter is closed, no completion is recorded, and no live writer announces closing; naming the dead closer's
    /// pid when a dead row (proven under its lock) announces closing, else saying no completing writer set the bit.
    /// </summary>
    public static void FaultIfCloserGone(SharedSegment segment)
    {
        ChannelHeader* header = segment.Header;
        if (!MpscClaimTail.IsClosed(Volatile.Read(ref header->ClaimTail)) || Volatile.Read(ref header->Completion) != CompletionState.Open)
        {
            return; // open, or the outcome is recorded: one load each while nothing is amiss
        }

        if (!TryFindDeadCloser(segment, skip: -1, out int deadCloser))
        {
            return; // a closer between its stores (or one whose CAS lost, about to withdraw): it records the outcome
        }

        if (deadCloser >= 0)
        {
            FaultForDeadCloser(segment, deadCloser);
        }
        else if (Volatile.Read(ref header->Completion) == CompletionState.Open)
        {
            new ChannelCompletion(header).TryComplete("its claim counter was closed by no completing writer (a peer set the closed bit without completing it)");
        }
    }

    /// <summary>
    /// Whether a dead MPSC writer's row (locked by the caller) announces a close whose outcome is still owed: the
    /// counter is closed and Completion open. Such a row is neither freed nor taken by a new writer, so that the fault
    /// names the dead closer; once the channel is faulted (by the consumer, or by a writer that needs the row:
    /// <see cref="FaultForLockedCloser"/>), the row is spent.
    /// </summary>
    /// <remarks>
    /// ClaimTail and Completion are loaded after the caller's lock, when the dead writer's CAS, if it made one, is
    /// visible: a dead writer announcing closing over a counter still open died before its CAS, which will never come.
    /// </remarks>
    public static bool IsOwed(SharedSegment segment, ParticipantRow* row) =>
        Volatile.Read(ref row->Mode) == ParticipantRow.ModeClosing &&
        MpscClaimTail.IsClosed(Volatile.Read(ref segment.Header->ClaimTail)) &&
        Volatile.Read(ref segment.Header->Completion) == CompletionState.Open;

    /// <summary>
    /// Run by a writer taking row <paramref name="index"/>, which it holds locked exclusively (so its holder is dead and
    /// everything that holder stored is visible): if the row is owed (<see cref="IsOwed"/>) and no other writer is a
    /// live closer, records the fault the consumer would, so the row is spent. Without it, a row whose closer died
    /// would stay kept for as long as no consumer waits (none attached, or one that only polls), refusing every writer
    /// that needs it.
    /// </summary>
    public static void FaultForLockedCloser(SharedSegment segment, int index)
    {
        ParticipantRow* row = segment.Row(index);
        if (IsOwed(segment, row) && TryFindDeadCloser(segment, skip: index, out _))
        {
            Fault(segment, row);
        }
    }

    // Looks at every writer row but skip: false when one announces closing and is alive (it records the outcome, so
    // nobody may fault now); else true, with the first dead announcer's index, or -1.
    private static bool TryFindDeadCloser(SharedSegment segment, int skip, out int deadCloser)
    {
        deadCloser = -1;
        for (int index = ParticipantTable.MpscFirstWriterRow; index < segment.Geometry.ParticipantRows; index++)
        {
            ParticipantRow* row = segment.Row(index);
            if (index == skip || Volatile.Read(ref row->Mode) != ParticipantRow.ModeClosing || Volatile.Read(ref row->State) == ParticipantRow.StateFree)
            {
                continue;
            }

            if (!ParticipantRole.IsHolderDead(segment, index))
            {
                return false;
            }

            if (deadCloser < 0)
            {
                deadCloser = index;
            }
        }

        return true;
    }

    // The row is locked (by the caller) and its holder dead: it holds still.
    private static void Fault(SharedSegment segment, ParticipantRow* row)
    {
        if (Volatile.Read(ref row->Mode) == ParticipantRow.ModeClosing)
        {
            int pid = Volatile.Read(ref row->Pid);
            new ChannelCompletion(segment.Header).TryComplete($"its writer (pid {pid}) died while completing it");
        }
    }

    private static void FaultForDeadCloser(SharedSegment segment, int index)
    {
        if (!ParticipantRole.TryLockDead(segment, index))
        {
            return; // someone took the row since it was found dead, or another thread of this endpoint has it: next slice
        }

        try
        {
            Fault(segment, segment.Row(index)); // locked, its holder dead: everything the closer stored is visible
        }
        finally
        {
            ParticipantRole.UnlockDead(segment, index);
        }
    }
}
