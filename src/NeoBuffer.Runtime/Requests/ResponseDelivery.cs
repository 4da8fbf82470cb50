using System;
using NeoBuffer.Waiting;

namespace NeoBuffer.Requests;

/// <summary>
/// The threads on which a blocking request must not wait for its response: a thread delivering responses (reading a
/// client's response ring, which it holds meanwhile) and the futex waiter thread (which every async wait of the
/// process needs). A caller's code reaches them when a response completes an awaiter whose continuation was captured
/// with a <see cref="System.Threading.SynchronizationContext"/> or <see cref="System.Threading.Tasks.TaskScheduler"/>
/// that runs it inline: a blocking request made there would wait for a reader that is its own thread (or for a wake
/// only the waiter thread can see), so it is refused instead of hanging every async wait of the process.
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
                $"A blocking request to '{server}' was made on a thread that delivers responses (a continuation run inline by its SynchronizationContext or TaskScheduler): it would wait for itself. Use RequestAsync there, or resume on the thread pool (ConfigureAwait(false)).");
        }
    }
}
