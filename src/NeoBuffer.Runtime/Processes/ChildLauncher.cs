using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace NeoBuffer;

/// <summary>
/// Starts every process function's child from one thread that lives as long as the process.
/// </summary>
/// <remarks>
/// The child asks the kernel for SIGKILL when its parent dies (PR_SET_PDEATHSIG), but the kernel's "parent" is the
/// thread that forked it: a child forked from a thread-pool thread would be killed when that thread retires, with
/// the parent alive. Forking from a thread that never exits makes the signal mean what it should: the process died.
/// The same one thread also serialises the window in which a passed file descriptor is open without close-on-exec,
/// so no other process function's child inherits it (a <see cref="Process.Start()"/> elsewhere in the process can).
/// </remarks>
internal static class ChildLauncher
{
    private static readonly BlockingCollection<(ProcessStartInfo Start, ProcessPayloadWriter Arguments, TaskCompletionSource<Process> Started)> s_requests = new();
    private static readonly Thread s_thread = StartThread();

    /// <summary>Starts <paramref name="start"/> on the launcher thread; the descriptors <paramref name="arguments"/> duplicated for it are closed after.</summary>
    public static Process Start(ProcessStartInfo start, ProcessPayloadWriter arguments)
    {
        _ = s_thread;
        var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        s_requests.Add((start, arguments, started));
        return started.Task.GetAwaiter().GetResult();
    }

    private static Thread StartThread()
    {
        var thread = new Thread(Loop) { IsBackground = true, Name = "NeoBuffer process functions" };
        thread.Start();
        return thread;
    }

    private static void Loop()
    {
        foreach ((ProcessStartInfo start, ProcessPayloadWriter arguments, TaskCompletionSource<Process> started) in s_requests.GetConsumingEnumerable())
        {
            try
            {
                started.SetResult(Process.Start(start) ?? throw new InvalidOperationException($"Could not start '{start.FileName}'."));
            }
            catch (Exception error)
            {
                started.SetException(error);
            }
            finally
            {
                arguments.CloseInheritedDescriptors();
            }
        }
    }
}
