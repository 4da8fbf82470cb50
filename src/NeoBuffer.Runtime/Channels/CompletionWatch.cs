using System;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Format;
using NeoBuffer.Ring;
using NeoBuffer.Segments;
using NeoBuffer.Waiting;

namespace NeoBuffer;

/// <summary>
/// Makes <see cref="SharedChannelReader.Completion"/> complete on its own, once someone observed it: no read call needs
/// to notice the end. The process's futex waiter thread (no thread per reader) watches the reader's wake word, which
/// every completion, fault and dispose bumps, and between sleeps checks that the single writer is alive (MPSC: that a
/// writer that closed the claims is alive until it records the completion).
/// <para>
/// The consumer's ring state is not thread-safe and belongs to the reading thread, so the watch never touches it: it
/// decides "completed and everything read" from published shared words only. Completion is stored after the writers'
/// last publication, so once it is seen those words stop moving except for the consumer's own position: SPSC, the
/// record header at Head (zero: nothing committed is left); MPSC, Head against ClaimTail; a broadcast subscriber, its
/// published Position against Tail. A wake does not
/// come with each message read, so the reading thread also finishes Completion itself as it reads the last message.
/// </para>
/// </summary>
internal sealed class CompletionWatch : ISliceCheck
{
    private readonly SharedChannelReader _reader;
    private readonly SharedSegment _segment;
    private readonly unsafe ChannelHeader* _header;
    private readonly unsafe ParticipantRow* _row;
    private readonly nint _word;
    private readonly ChannelTopology _topology;
    private readonly RingMemory _memory;

    private unsafe CompletionWatch(SharedChannelReader reader, SharedSegment segment, ParticipantRow* row)
    {
        _reader = reader;
        _segment = segment;
        _header = segment.Header;
        _word = (nint)(&_header->ReaderWake);
        _row = row;
        _topology = segment.Geometry.Topology;
        _memory = new RingMemory(segment, RecordFraming.PlainFrame);
    }

    /// <summary>Starts watching for <paramref name="reader"/>; the watch ends once its Completion is settled or it is disposed.</summary>
    public static unsafe void Start(SharedChannelReader reader, SharedSegment segment, ParticipantRow* row) =>
        _ = new CompletionWatch(reader, segment, row).RunAsync();

    /// <summary>Run by the futex waiter thread between sleeps: looks for a dead writer, and for the end of the stream.</summary>
    public bool IsDone()
    {
        if (_reader.IsDisposed)
        {
            return true;
        }

        if (_topology != ChannelTopology.MultiProducerSingleConsumer)
        {
            // The single writer's death faults the channel (and bumps the wake word); MPSC writers come and go.
            PeerLiveness.FaultIfWriterDead(_segment, 0);
        }
        else
        {
            // Only an MPSC closer that died between closing the claims and recording the outcome (or a bit no closer
            // set) leaves the stream ended for good with nothing recorded: the watch faults it, as the reader's waits do.
            MpscUnrecordedCompletion.FaultIfCloserGone(_segment);
        }

        return IsEndedAndDrained();
    }

    private async Task RunAsync()
    {
        bool added = false;
        try
        {
            // Keeps the mapping (and the descriptor the liveness check uses) until the watch ends.
            _segment.Mapping.DangerousAddRef(ref added);
            while (true)
            {
                // The word is loaded before the state is checked: a completion or dispose after the check bumps the word,
                // so the wait below sees it changed instead of sleeping through it.
                int seen = WakeWordValue();
                if (_reader.IsDisposed)
                {
                    _reader.FaultCompletionDisposed();
                    return;
                }

                if (IsEndedAndDrained())
                {
                    _reader.FinishCompletion();
                    return;
                }

                await FutexWaitEngine.Shared.WaitAnyAsync([(_word, seen)], long.MaxValue, CancellationToken.None, this).ConfigureAwait(false);
            }
        }
        catch (ObjectDisposedException) when (!added)
        {
            _reader.FaultCompletionDisposed();
        }
        catch (Exception error)
        {
            _reader.FaultCompletion(error);
        }
        finally
        {
            if (added)
            {
                _segment.Mapping.DangerousRelease();
            }
        }
    }

    private unsafe int WakeWordValue() => Volatile.Read(ref *(int*)_word);

    private unsafe bool IsEndedAndDrained()
    {
        if (Volatile.Read(ref _header->Completion) == CompletionState.Open)
        {
            return false;
        }

        switch (_topology)
        {
            case ChannelTopology.MultiProducerSingleConsumer:
                return Volatile.Read(ref _header->Head) == MpscClaimTail.PositionOf(Volatile.Read(ref _header->ClaimTail));
            case ChannelTopology.Broadcast:
                return Volatile.Read(ref _row->Position) == Volatile.Read(ref _header->Tail);
            default:
                // Each record's end holds a zero header before the record is published, so the header at Head is zero
                // exactly when nothing committed is left to read, even if the writer died before storing Tail. A
                // misaligned Head is corruption, which the reading thread reports; the watch only declines to decide.
                long head = Volatile.Read(ref _header->Head);
                return RecordFraming.IsAligned(head) && Volatile.Read(ref *(long*)_memory.RecordAt(head)) == 0;
        }
    }
}
