using System;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading;
using NeoBuffer.Format;
using NeoBuffer.Waiting;

namespace NeoBuffer.Ring;

/// <summary>
/// The channel's end-of-stream state in the header: completed or faulted, and the reason. Set once, by a producer;
/// stored after the producer's last publication, so a consumer that sees it and then finds no message knows it has
/// everything.
/// </summary>
internal sealed unsafe class ChannelCompletion(ChannelHeader* header)
{
    private const int MaxErrorBytes = 248;

    public int State => Volatile.Read(ref header->Completion);

    public bool IsCompleted => State != CompletionState.Open;

    /// <summary>Completes (or faults, with <paramref name="error"/>) the channel and wakes everyone parked on it.</summary>
    public bool TryComplete(string? error)
    {
        if (IsCompleted)
        {
            return false;
        }

        if (error is not null)
        {
            var text = new Span<byte>(Unsafe.AsPointer(ref header->CompletionError), MaxErrorBytes);
            header->CompletionErrorLength = Encoding.UTF8.GetBytes(error.AsSpan(0, Math.Min(error.Length, MaxErrorBytes / 4)), text);
        }

        int state = error is null ? CompletionState.Completed : CompletionState.Faulted;
        if (Interlocked.CompareExchange(ref header->Completion, state, CompletionState.Open) != CompletionState.Open)
        {
            return false;
        }

        RingWait.WakeWord((nint)(&header->ReaderWake));
        RingWait.WakeWord((nint)(&header->WriterWake));
        return true;
    }

    /// <summary>The reason given when the channel was faulted, bounded and decoded leniently (it came from shared memory).</summary>
    public string Error()
    {
        int length = Math.Clamp(Volatile.Read(ref header->CompletionErrorLength), 0, MaxErrorBytes);
        return Encoding.UTF8.GetString(new ReadOnlySpan<byte>(Unsafe.AsPointer(ref header->CompletionError), length));
    }
}
