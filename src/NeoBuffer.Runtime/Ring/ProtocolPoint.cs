using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace NeoBuffer.Ring;

/// <summary>
/// Named points inside the ring protocol where a process can be stopped dead, so that each crash-recovery path and each
/// race a review found can be driven on purpose instead of by luck (docs/format.md, "Testing the protocol").
/// <para>
/// Off unless the process starts with <c>NEOBUFFER_KILL_AT</c> set, or with the runtime switch
/// <c>NeoBuffer.ProtocolPoints</c> on (the test projects set it in their runtimeconfig). Both are read once, into a
/// static readonly field: once tiered compilation has seen it false, <see cref="Reached"/> compiles to nothing, so
/// the points cost the hot path nothing in production.
/// </para>
/// <para>
/// <c>NEOBUFFER_KILL_AT=name</c> (or <c>name@N</c>, the N-th time it is reached) makes the process SIGKILL itself
/// there, as a crash would: no finally block, no exit hook runs. In-process tests instead install a hook for their
/// own thread with <see cref="OnThisThread"/> and act at the point (take a row, commit a record) to construct the
/// interleaving they test; a hook sees only points reached on the thread that installed it, so tests running in
/// parallel never see each other's.
/// </para>
/// </summary>
internal static class ProtocolPoint
{
    /// <summary>SPSC producer: everything behind the record's header is stored (the zero header at its end included), the header at the tail not yet.</summary>
    public const string SpscPublishing = "spsc.publishing";

    /// <summary>MPSC producer: the claim is announced in its row, the CAS on ClaimTail not yet made.</summary>
    public const string MpscAnnounced = "mpsc.announced";

    /// <summary>MPSC producer: the CAS on ClaimTail succeeded, the record header not yet written.</summary>
    public const string MpscClaimed = "mpsc.claimed";

    /// <summary>MPSC producer: the record header says "being filled", the commit not yet made.</summary>
    public const string MpscFilling = "mpsc.filling";

    /// <summary>MPSC producer in a batch: a later record's payload is copied and its header stored committed, the batch's first header still "being filled".</summary>
    public const string MpscBatchCopied = "mpsc.batch-copied";

    /// <summary>MPSC consumer: the record it is consuming is announced and zeroed, Head not yet published.</summary>
    public const string MpscZeroing = "mpsc.zeroing";

    /// <summary>MPSC consumer: a dead writer's claim is decided to become padding, the padding not yet published.</summary>
    public const string MpscPadding = "mpsc.padding";

    /// <summary>MPSC completion: the closer announced closing in its row and closed the claim counter; the completion is not yet recorded.</summary>
    public const string MpscClosed = "mpsc.closed";

    /// <summary>Broadcast producer: TailIntent announced, the claim's padding and payload not yet written.</summary>
    public const string BroadcastAnnounced = "broadcast.announced";

    /// <summary>Broadcast producer: inside the commit, TailSequence stored and Tail not yet (the seqlock is odd).</summary>
    public const string BroadcastSequencePublished = "broadcast.sequence-published";

    /// <summary>Lossy broadcast subscriber: resynchronised after a lap (moved to Oldest), the record there not yet read.</summary>
    public const string BroadcastResynchronised = "broadcast.resynchronised";

    /// <summary>Any endpoint: a participant row was found held by a dead process, and is not yet cleared.</summary>
    public const string DeadRowFound = "row.dead-found";

    /// <summary>Any endpoint: a dead holder's row is decided free, its State not yet stored.</summary>
    public const string DeadRowFreeing = "row.freeing";

    /// <summary>Any endpoint completing the channel with an error: the reason is written, the completion not yet published.</summary>
    public const string CompletionReasonWritten = "completion.reason-written";

    /// <summary>Any endpoint reading a fault's reason: the winning faulter has not published it yet, and it is about to be waited for.</summary>
    public const string CompletionReasonAwaited = "completion.reason-awaited";

    /// <summary>A tool's read-only look at a segment: everything read, the check that the segment did not change meanwhile not yet made.</summary>
    public const string InspectionRead = "inspection.read";

    /// <summary>A tool's read-only look at a participant row: its owner's identity read, its positions and counters not yet.</summary>
    public const string InspectionRowRead = "inspection.row-read";

    /// <summary>A <see cref="MessageHold"/> about to release its message: what it did with it (a bridge: published it) is done, the message not yet consumed.</summary>
    public const string HoldReleasing = "hold.releasing";

    /// <summary>Any blocking wait: its condition found false after the spin, its wake word not yet armed (a wake that lands here must still end the wait).</summary>
    public const string WaitArming = "wait.arming";

    /// <summary>Request client: a request's slot is taken and its envelope written, its record not yet committed.</summary>
    public const string RequestBegun = "request.begun";

    /// <summary>Request server: ending a request read its state word (an answer in progress), its end not yet published.</summary>
    public const string RequestEnding = "request.ending";

    /// <summary>Request client: a resolver (a response, a failure) won its request's id, the result not yet set.</summary>
    public const string RequestResolving = "request.resolving";

    /// <summary>Request client: a blocking caller read its request's id and spun, and is about to wait for it.</summary>
    public const string RequestWaiting = "request.waiting";

    /// <summary>Request server: a thread other than the serving one won the copy of a request read in place, its bytes not yet copied out of the ring.</summary>
    public const string RequestCopyingOut = "request.copying-out";

    /// <summary>Request server: the serving thread, letting go of a request read in place, found a copy of its bytes in progress on another thread and waits for it.</summary>
    public const string RequestLeaveWaiting = "request.leave-waiting";

    /// <summary>Request server: a check for dead clients (inside a read: idle, periodic or at a connect) is about to probe a client's response ring.</summary>
    public const string ServerCheckingClients = "server.checking-clients";

    /// <summary>Request server: a wait has read the list of clients it serves, and has not yet taken hold of their request rings.</summary>
    public const string ServerHoldingRings = "server.holding-rings";

    /// <summary>A <see cref="Waiting.FastPathSemaphore"/> sleeper: its wait ended without a permit (timed out), the sleeper still counted (a release that lands here hands it a permit it will not take).</summary>
    public const string SemaphoreSleeperLeaving = "semaphore.sleeper-leaving";

    /// <summary>A client's free request slots: a take has read the top index and its next, and is about to CAS the top to that next.</summary>
    public const string SlotsPopping = "slots.popping";

    /// <summary>A client's free request slots: a taker's wait ended without an index (timed out), the taker still counted as a sleeper (a give that lands here hands it an index it will not take).</summary>
    public const string SlotsSleeperLeaving = "slots.sleeper-leaving";

    /// <summary>A client's free request slots: a taker found none and is about to count itself as a sleeper (a give that lands here finds no sleeper, so the taker's look after counting must find its index).</summary>
    public const string SlotsSleeperCounting = "slots.sleeper-counting";

    /// <summary>A client's free request slots: a taker counted as a sleeper found none in its last look and is about to sleep (a give that lands here must hand it an index).</summary>
    public const string SlotsSleeping = "slots.sleeping";

    /// <summary>Every known point: NEOBUFFER_KILL_AT must name one (the chaos harness draws its kills from its own subsets).</summary>
    public static readonly string[] All =
    [
        SpscPublishing, MpscAnnounced, MpscClaimed, MpscFilling, MpscBatchCopied, MpscZeroing, MpscPadding, MpscClosed, BroadcastAnnounced, BroadcastSequencePublished, BroadcastResynchronised, DeadRowFound, DeadRowFreeing,
        CompletionReasonWritten, CompletionReasonAwaited, InspectionRead, InspectionRowRead, HoldReleasing, WaitArming, RequestBegun, RequestEnding, RequestResolving, RequestWaiting, RequestCopyingOut, RequestLeaveWaiting, ServerCheckingClients, ServerHoldingRings, SemaphoreSleeperLeaving, SlotsPopping, SlotsSleeperLeaving, SlotsSleeperCounting, SlotsSleeping,
    ];

    private static readonly bool s_enabled = ReadEnabled(out s_killAt, out s_killOnReach);
    private static readonly string? s_killAt;
    private static readonly int s_killOnReach;
    private static int s_reached;

    [ThreadStatic]
    private static Action<string>? t_hook;

    /// <summary>Marks that the protocol reached point <paramref name="name"/> (one of the constants above).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Reached(string name)
    {
        if (s_enabled)
        {
            Reach(name);
        }
    }

    /// <summary>
    /// Runs <paramref name="hook"/> at every point this thread reaches until the returned scope is disposed. For tests:
    /// throws unless the process enabled protocol points.
    /// </summary>
    public static IDisposable OnThisThread(Action<string> hook)
    {
        if (!s_enabled)
        {
            throw new InvalidOperationException("Protocol points are off in this process: set the runtime switch NeoBuffer.ProtocolPoints (RuntimeHostConfigurationOption) or NEOBUFFER_KILL_AT.");
        }

        Action<string>? previous = t_hook;
        t_hook = hook;
        return new HookScope(previous);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Reach(string name)
    {
        t_hook?.Invoke(name);
        if (s_killAt == name && System.Threading.Interlocked.Increment(ref s_reached) == s_killOnReach)
        {
            Process.GetCurrentProcess().Kill(); // SIGKILL: nothing of this process runs after it, as in a crash
        }
    }

    private static bool ReadEnabled(out string? killAt, out int killOnReach)
    {
        killAt = null;
        killOnReach = 1;
        string? spec = Environment.GetEnvironmentVariable("NEOBUFFER_KILL_AT");
        if (!string.IsNullOrEmpty(spec))
        {
            int at = spec.IndexOf('@');
            killAt = at < 0 ? spec : spec[..at];
            if (at >= 0 && (!int.TryParse(spec[(at + 1)..], out killOnReach) || killOnReach < 1))
            {
                throw new ArgumentException($"NEOBUFFER_KILL_AT='{spec}' is not 'point' or 'point@N' with N >= 1.");
            }

            if (Array.IndexOf(All, killAt) < 0)
            {
                throw new ArgumentException($"NEOBUFFER_KILL_AT names '{killAt}', which is not a protocol point. Known: {string.Join(", ", All)}.");
            }

            return true;
        }

        return AppContext.TryGetSwitch("NeoBuffer.ProtocolPoints", out bool on) && on;
    }

    private sealed class HookScope(Action<string>? previous) : IDisposable
    {
        public void Dispose() => t_hook = previous;
    }
}
