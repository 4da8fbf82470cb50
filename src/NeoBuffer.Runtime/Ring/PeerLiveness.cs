using System.Threading;
using System.Threading.Channels;
using NeoBuffer.Format;
using NeoBuffer.Segments;

namespace NeoBuffer.Ring;

/// <summary>What every topology does when the one peer it cannot do without is found dead.</summary>
internal static unsafe class PeerLiveness
{
    /// <summary>
    /// A single writer that died faults the channel: its readers read what it committed, then see the fault. (What it
    /// had claimed was never published: nothing to undo.)
    /// </summary>
    public static void FaultIfWriterDead(SharedSegment segment, int writerRow)
    {
        // Locked before acting: a writer that took the row since the check is live, and its channel is not faulted.
        if (ParticipantRole.IsHolderDead(segment, writerRow) && ParticipantRole.TryLockDead(segment, writerRow))
        {
            try
            {
                int pid = Volatile.Read(ref segment.Row(writerRow)->Pid);
                new ChannelCompletion(segment.Header).TryComplete($"its writer (pid {pid}) died without completing it");
                ParticipantRole.FreeLocked(segment, writerRow);
            }
            finally
            {
                ParticipantRole.UnlockDead(segment, writerRow);
            }
        }
    }

    /// <summary>
    /// A writer waiting for room that only a gone reader could make fails, rather than waiting forever: the reader
    /// died, or it left (disposed) and no other took its place. A channel whose reader never came is waited on.
    /// </summary>
    public static void ThrowIfReaderGone(SharedSegment segment, int readerRow, bool failWhenReaderDies)
    {
        if (!failWhenReaderDies)
        {
            return;
        }

        ParticipantRow* row = segment.Row(readerRow);
        bool died = ParticipantRole.IsHolderDead(segment, readerRow) && IsStillDead(segment, readerRow);
        bool left = Volatile.Read(ref row->State) == ParticipantRow.StateFree && Volatile.Read(ref row->Generation) != 0;
        if (died || left)
        {
            int pid = Volatile.Read(ref row->Pid);
            throw new ChannelClosedException(
                $"The reader of channel '{segment.Name}' (pid {pid}) {(died ? "died" : "left")}: nothing more will be read from the ring. " +
                $"Start a reader (it resumes where the {(died ? "dead" : "last")} one stopped), or create the channel with WriterFailsWhenReaderDies = false to wait for one.");
        }
    }

    /// <summary>
    /// Confirms a reader found dead under its row lock: a reader restarted since the check holds the row, and the writer
    /// must not be told its reader died. The row is not freed: a new reader resumes from what the dead one left in it
    /// (a zeroing it announced), so it is only looked at, then let go.
    /// </summary>
    private static bool IsStillDead(SharedSegment segment, int row)
    {
        if (!ParticipantRole.TryLockDead(segment, row))
        {
            return false; // someone new holds it, or it was freed meanwhile: "left" below decides on what it reads now
        }

        ParticipantRole.UnlockDead(segment, row);
        return true;
    }
}
