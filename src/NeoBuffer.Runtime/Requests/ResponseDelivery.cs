using System;
using NeoBuffer.Waiting;

namespace NeoBuffer.Requests;

/// <summary>
/// The threads on which a blocking request must not wait for its response: a thread delivering responses (reading a
/// client's response ring, which it holds meanwhile) and the futex waiter thread (which every async wait of the
/// process needs). A blocking request made there would wait for a reader that is its own thread (or for a wake only
/// the waiter thread can see). The library keeps caller code off both: a resolved request's continuation is queued to
/// the thread pool, and one captured with a context is posted to it from a thread-pool thread
/// (<see cref="PendingRequest{TResponse}.OnCompleted"/>), never from the resolving thread. This guard is the second
/// line: should caller code reach such a thread all the same, its blocking request is refused (before anything is
/// sent) instead of hanging the client and every async wait of the process.
/// </summary>
internal static class ResponseDelivery
{
    [ThreadStatic]
    private static int t_depth;

    /// <summary>Marks this thread as delivering responses until <see cref="Exit"/>.</summary>
    public static void Enter() => t_depth++;

    /// <summary>Ends the mark of <see cref="Enter"/>.</summary>
    public static void Exit() => t_depth--;

    /// <summary>Throws when this thread delivers responses or is the futex waiter thread.</summary>
    /// <exception cref="InvalidOperationException">A blocking request was made where it would deadlock.</exception>
    public static void ThrowIfBlockingForbidden(string server)
    {
        if (t_depth > 0 || FutexWaitEngine.IsWaiterThread)
        {
            throw new InvalidOperationException(
                $"A blocking request to '{server}' was made on a thread that delivers responses (one that reads a response ring, or the futex waiter thread): it would wait for itself. Use RequestAsync there, or resume on the thread pool (ConfigureAwait(false)).");
        }
    }
}
