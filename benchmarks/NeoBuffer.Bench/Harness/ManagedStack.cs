using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.Diagnostics.Runtime;

namespace NeoBuffer.Bench.Harness;

/// <summary>
/// The managed stacks of a live child process, for the report of a hang: ClrMD attaches to it (ptrace, so the child is
/// stopped while its threads are walked; the parent runs as the same user) and walks every managed thread. Only threads
/// with a frame of this program or the library are shown, innermost frame first, so the line that never returned is on
/// top. Never throws: a child that exits meanwhile, or a kernel that refuses the attach, gives a one-line reason instead.
/// </summary>
internal static class ManagedStack
{
    private const int MaxFrames = 14;

    public static string Of(int pid)
    {
        try
        {
            using DataTarget target = DataTarget.AttachToProcess(pid, suspend: true);
            if (target.ClrVersions.Length == 0)
            {
                return $"    (pid {pid}: no .NET runtime found)";
            }

            using ClrRuntime runtime = target.ClrVersions[0].CreateRuntime();
            var text = new StringBuilder();
            foreach (ClrThread thread in runtime.Threads.Where(thread => thread.IsAlive))
            {
                List<string> frames = thread.EnumerateStackTrace()
                    .Select(frame => frame.Method?.Signature)
                    .OfType<string>()
                    .ToList();
                if (!frames.Any(frame => frame.StartsWith("NeoBuffer.", StringComparison.Ordinal)) ||
                    frames.Any(frame => frame.StartsWith("NeoBuffer.Bench.Harness.ParentWatch", StringComparison.Ordinal)))
                {
                    continue; // the runtime's own threads, and the one that waits for the parent to go
                }

                text.AppendLine($"    thread {thread.OSThreadId}:");
                foreach (string frame in frames.Take(MaxFrames))
                {
                    text.AppendLine($"      at {frame}");
                }
            }

            return text.Length > 0 ? text.ToString().TrimEnd() : $"    (pid {pid}: no thread in NeoBuffer code)";
        }
        catch (Exception e)
        {
            return $"    (pid {pid}: no stack: {e.GetType().Name}: {e.Message})";
        }
    }
}
