using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading.Tasks;

namespace NeoBuffer.Samples.Tests;

/// <summary>
/// The children a sample process started, followed after the sample itself was killed. The test process makes itself a
/// child subreaper (prctl PR_SET_CHILD_SUBREAPER), so the orphans become its children instead of init's, and it can
/// wait for each and see how it ended: by exit (with which code) or by a signal.
/// </summary>
internal static partial class Orphans
{
    private const int PrSetChildSubreaper = 36;
    private const int WNoHang = 1;

    /// <summary>Call before the sample starts its children: from then on, children of a killed sample come to this process.</summary>
    public static void AdoptFromNowOn()
    {
        if (Prctl(PrSetChildSubreaper, 1, 0, 0, 0) != 0)
        {
            throw new InvalidOperationException($"prctl(PR_SET_CHILD_SUBREAPER) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>The pids whose parent is <paramref name="pid"/> now.</summary>
    public static List<int> ChildrenOf(int pid)
    {
        var children = new List<int>();
        foreach (string directory in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out int candidate))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(directory, "stat"));
            }
            catch (IOException)
            {
                continue; // exited meanwhile
            }

            // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so parse after the last ')'.
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (int.Parse(fields[1]) == pid)
            {
                children.Add(candidate);
            }
        }

        return children;
    }

    /// <summary>The child of <paramref name="pid"/> whose command line holds <paramref name="argument"/>.</summary>
    public static int ChildWith(int pid, string argument) =>
        ChildrenOf(pid).Single(child => File.ReadAllText($"/proc/{child}/cmdline").Split('\0').Contains(argument));

    /// <summary>
    /// Waits for the adopted child <paramref name="pid"/> to end and describes how: "exit N" or "signal N". Past
    /// <paramref name="timeout"/> it kills and reaps it, and returns "still running".
    /// </summary>
    public static async Task<string> WaitAsync(int pid, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            int reaped = WaitPid(pid, out int status, WNoHang);
            if (reaped == pid)
            {
                int signal = status & 0x7F;
                return signal == 0 ? $"exit {(status >> 8) & 0xFF}" : $"signal {signal}";
            }

            if (reaped < 0)
            {
                return $"not a child of the test (errno {Marshal.GetLastPInvokeError()})";
            }

            if (clock.Elapsed > timeout)
            {
                Kill(pid, 9);
                WaitPid(pid, out _, 0);
                return "still running";
            }

            await Task.Delay(20); // polling a process state, bounded by the timeout above
        }
    }

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    private static partial int WaitPid(int pid, out int status, int options);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
