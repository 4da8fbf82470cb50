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
        if (ParticipantRole.IsHolderDead(segment, writerRow))
        {
            int pid = Volatile.Read(ref segment.Slot(writerRow)->Pid);
            new ChannelCompletion(segment.Header).TryComplete($"its writer (pid {pid}) died without completing it");
            ParticipantRole.ClearDead(segment, writerRow);
        }
    }

    /// <summary>A writer waiting for room that only a dead reader could make fails, rather than waiting forever.</summary>
    public static void ThrowIfReaderDead(SharedSegment segment, int readerRow, bool failWhenReaderDies)
    {
        if (failWhenReaderDies && ParticipantRole.IsHolderDead(segment, readerRow))
        {
            int pid = Volatile.Read(ref segment.Slot(readerRow)->Pid);
            throw new ChannelClosedException(
                $"The reader of channel '{segment.Name}' (pid {pid}) died: nothing more will be read from the ring. " +
                "Restart the reader (it resumes where the dead one stopped), or create the channel with WriterFailsWhenReaderDies = false to wait for one.");
        }
    }
}
