using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using Microsoft.Diagnostics.Runtime;

namespace NeoBuffer.Bench.Harness;

/// <summary>
/// The managed stacks of a live child process, for the report of a hang. ClrMD attaches to it (ptrace: the child is
/// stopped while its threads are walked) and walks every managed thread; only threads with a frame of this program or
/// the library are shown, innermost frame first, so the call that never returned is on top.
/// <para>
/// The attach runs in a helper process (<c>NeoBuffer.Bench stack-of PID</c>), never in the run itself: the run is the
/// child's parent, and the runtime's SIGCHLD handling in the parent reaps the child's ptrace stop before ClrMD's own
/// waitpid sees it, which leaves the attach waiting forever (seen once in a 100-kill chaos run). The helper is a sibling,
/// so the stop is its own to wait for; it is bounded, and never throws: a child that exits meanwhile, a kernel that
/// refuses the attach or a helper that times out gives a one-line reason instead.
/// </para>
/// </summary>
internal static class ManagedStack
{
    public const string Verb = "stack-of";

    private const int MaxFrames = 14;
    private static readonly TimeSpan HelperBound = TimeSpan.FromSeconds(20);

    /// <summary>The stacks of <paramref name="pid"/>, taken by a helper process.</summary>
    public static string Of(int pid)
    {
        try
        {
            var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            string host = Environment.ProcessPath ?? throw new InvalidOperationException("the path of this process is unknown");
            start.FileName = host;
            if (Path.GetFileNameWithoutExtension(host) == "dotnet")
            {
                start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
            }

            start.ArgumentList.Add(Verb);
            start.ArgumentList.Add(pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
            using Process helper = Process.Start(start) ?? throw new InvalidOperationException("the helper did not start");
            var output = helper.StandardOutput.ReadToEndAsync();
            if (!helper.WaitForExit(HelperBound))
            {
                helper.Kill(entireProcessTree: true);
                return $"    (pid {pid}: no stack: the helper took longer than {HelperBound.TotalSeconds:0} s)";
            }

            return output.Wait(HelperBound) ? output.Result.TrimEnd() : $"    (pid {pid}: no stack: no output)";
        }
        catch (Exception e)
        {
            return $"    (pid {pid}: no stack: {e.GetType().Name}: {e.Message})";
        }
    }

    /// <summary>In the helper process: prints the stacks of <paramref name="pid"/> (see <see cref="Of"/>).</summary>
    public static int Print(string pid)
    {
        Console.WriteLine(Take(int.Parse(pid, System.Globalization.CultureInfo.InvariantCulture)));
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
