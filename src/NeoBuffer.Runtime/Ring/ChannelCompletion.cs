using System;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading;
using NeoBuffer.Format;
using NeoBuffer.Interop;
using NeoBuffer.Waiting;

namespace NeoBuffer.Ring;

/// <summary>
/// The channel's end-of-stream state in the header: completed or faulted, and the reason. Set once, by a producer (or
/// by whoever finds the single writer dead); stored after the producer's last publication, so a consumer that sees it
/// and then finds no message knows it has everything.
/// </summary>
internal sealed unsafe class ChannelCompletion(ChannelHeader* header)
{
    private const int MaxErrorBytes = ChannelHeader.CompletionErrorCapacity;

    /// <summary>
    /// How long <see cref="Error"/> waits for a winning faulter to publish its reason. Writing 248 bytes takes
    /// nanoseconds, but the faulter may be descheduled in between for a slice or several on a loaded machine (10 ms was
    /// too short: a live faulter's reason was reported missing), so only a faulter gone this long counts as dead
    /// mid-write. The wait is paid in full only in that case, once.
    /// </summary>
    private const long ReasonWaitNs = 1_000_000_000;

    public int State => Volatile.Read(ref header->Completion);

    /// <summary>Whether the channel is completed or faulted (a reason still being written counts: the stream has ended).</summary>
    public bool IsCompleted => State != CompletionState.Open;

    /// <summary>Whether the channel was completed with an error.</summary>
    public bool IsFaulted => State is CompletionState.Faulted or CompletionState.Faulting;

    /// <summary>Completes (or faults, with <paramref name="error"/>) the channel and wakes everyone parked on it.</summary>
    public bool TryComplete(string? error)
    {
        if (IsCompleted)
        {
            return false;
        }

        if (error is null)
        {
            if (Interlocked.CompareExchange(ref header->Completion, CompletionState.Completed, CompletionState.Open) != CompletionState.Open)
            {
                return false;
            }
        }
        else
        {
            // The CAS decides the one completion that wins before anyone writes a reason: only the winner writes the
            // text, and publishes Faulted after it (release), so two processes faulting at once never interleave
            // their text, and a reader that sees Faulted sees the winner's whole reason. Faulting already ends the
            // stream for everyone (IsCompleted); only the reason's readers wait for Faulted (see Error).
            if (Interlocked.CompareExchange(ref header->Completion, CompletionState.Faulting, CompletionState.Open) != CompletionState.Open)
            {
                return false;
            }

            var text = new Span<byte>(Unsafe.AsPointer(ref header->CompletionError), MaxErrorBytes);
            Volatile.Write(ref header->CompletionErrorLength, Encoding.UTF8.GetBytes(error.AsSpan(0, Math.Min(error.Length, MaxErrorBytes / 4)), text));
            ProtocolPoint.Reached(ProtocolPoint.CompletionReasonWritten);
            Volatile.Write(ref header->Completion, CompletionState.Faulted);
        }

        RingWait.WakeWord((nint)(&header->ReaderWake));
        RingWait.WakeWord((nint)(&header->WriterWake));
        return true;
    }

    /// <summary>
    /// The reason given when the channel was faulted, bounded and decoded leniently (it came from shared memory). A
    /// faulter that won but has not yet published its reason is waited for briefly; one that died while writing it
    /// leaves the state Faulting for good, which is reported as such rather than waited on.
    /// </summary>
    public string Error()
    {
        long deadline = MonotonicClock.NowNs + ReasonWaitNs;
        var spinner = default(SpinWait);
        if (State == CompletionState.Faulting)
        {
            ProtocolPoint.Reached(ProtocolPoint.CompletionReasonAwaited);
        }

        while (State == CompletionState.Faulting)
        {
            if (MonotonicClock.NowNs > deadline)
            {
                return "(no reason recorded: the process that faulted the channel stopped while writing it)";
            }

            spinner.SpinOnce();
        }

        // The acquire load of Faulted above orders the winner's text and length before these loads.
        int length = Math.Clamp(Volatile.Read(ref header->CompletionErrorLength), 0, MaxErrorBytes);
        return Encoding.UTF8.GetString(new ReadOnlySpan<byte>(Unsafe.AsPointer(ref header->CompletionError), length));
    }
}
