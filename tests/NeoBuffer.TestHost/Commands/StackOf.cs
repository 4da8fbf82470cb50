using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.Diagnostics.Runtime;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>stack-of PID</c>: prints the managed stacks of a live process, for the report of a hang. ClrMD attaches to it
/// (ptrace: the process is stopped while its threads are walked) and walks every managed thread; only threads with a
/// NeoBuffer frame are shown, innermost frame first, so the call that never returned is on top.
/// <para>
/// It runs as a helper process, never in the run that wants the stacks: that run is the hung child's parent, and the
/// runtime's SIGCHLD handling in the parent reaps the child's ptrace stop before ClrMD's own waitpid sees it, which
/// leaves the attach waiting forever (seen once in a 100-kill chaos run). The helper is a sibling, so the stop is its
/// own to wait for. It never throws: a process that exits meanwhile or a kernel that refuses the attach gives a
/// one-line reason instead.
/// </para>
/// </summary>
internal sealed class StackOf : IHostCommand
{
    private const int MaxFrames = 14;

    public string Name => "stack-of";

    public int Run(string[] args)
    {
        Console.WriteLine(Take(int.Parse(args[0], CultureInfo.InvariantCulture)));
        return 0;
    }

    private static string Take(int pid)
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
                    frames.Any(frame => frame.StartsWith("NeoBuffer.Testing.ParentWatch", StringComparison.Ordinal)))
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
