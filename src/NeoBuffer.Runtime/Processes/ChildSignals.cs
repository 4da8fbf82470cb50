using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using NeoBuffer.Interop;

namespace NeoBuffer;

/// <summary>
/// Passes SIGINT and SIGTERM that this process receives on to its running process-function children, then lets the
/// signal take its usual course here. Ctrl+C in a terminal already reaches the whole foreground process group; this
/// covers a signal sent to the parent alone (a supervisor, <c>kill -INT PID</c>). A child that outlives its parent
/// anyway is killed by the kernel (PR_SET_PDEATHSIG).
/// </summary>
internal static class ChildSignals
{
    private static readonly ConcurrentDictionary<int, Process> s_children = new();
    private static readonly object s_registering = new();
    private static PosixSignalRegistration[]? s_registrations;

    /// <summary>Forwards signals to <paramref name="child"/> until <see cref="Forget"/>.</summary>
    public static void Track(Process child)
    {
        lock (s_registering)
        {
            s_registrations ??=
            [
                PosixSignalRegistration.Create(PosixSignal.SIGINT, Forward),
                PosixSignalRegistration.Create(PosixSignal.SIGTERM, Forward),
            ];
        }

        s_children[child.Id] = child;
    }

    /// <summary>Stops forwarding to the child with pid <paramref name="processId"/> (before its Process is disposed).</summary>
    public static void Forget(int processId) => s_children.TryRemove(processId, out _);

    private static void Forward(PosixSignalContext context)
    {
        int signal = context.Signal == PosixSignal.SIGINT ? LibC.SIGINT : LibC.SIGTERM;
        foreach (Process child in s_children.Values)
        {
            // Only a child not reaped when checked: until it is reaped its pid cannot be reused (a reap between the check
            // and the kill is the one window, as with any kill of a pid).
            try
            {
                if (!child.HasExited)
                {
                    LibC.Kill(child.Id, signal);
                }
            }
            catch (System.InvalidOperationException)
            {
                // Disposed meanwhile.
            }
        }
    }
}
