using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;

namespace NeoBuffer.Bench.Measurements;

/// <summary>
/// One snapshot of another process's CPU time and wake-ups, read from /proc. CPU time is utime + stime of
/// <c>/proc/PID/stat</c> (every thread of the process, in clock ticks). Wake-ups are the voluntary context switches of
/// every thread, summed over <c>/proc/PID/task/TID/status</c>: <c>/proc/PID/status</c> counts the main thread only, and
/// an async reader parks on another thread (the runtime's futex waiter) while its main thread blocks on a task.
/// </summary>
internal sealed partial class ProcessUsage
{
    private const int ScClockTicks = 2; // _SC_CLK_TCK

    private static readonly long s_ticksPerSecond = ReadTicksPerSecond();

    private readonly long _cpuTicks;
    private readonly Dictionary<int, (string Name, long Switches)> _switchesByThread;

    private ProcessUsage(long cpuTicks, Dictionary<int, (string Name, long Switches)> switchesByThread)
    {
        _cpuTicks = cpuTicks;
        _switchesByThread = switchesByThread;
    }

    /// <summary>The clock ticks per second /proc counts CPU time in (100 on Linux): the resolution of <see cref="CpuSecondsSince"/>.</summary>
    public static long TicksPerSecond => s_ticksPerSecond;

    public static ProcessUsage Read(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");

        // The command name (field 2) is in parentheses and may hold spaces; the fields after it start at field 3.
        string[] fields = stat[(stat.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long utime = long.Parse(fields[14 - 3], CultureInfo.InvariantCulture);
        long stime = long.Parse(fields[15 - 3], CultureInfo.InvariantCulture);

        var switches = new Dictionary<int, (string Name, long Switches)>();
        foreach (string task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                string name = File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n');
                switches[int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture)] = (name, VoluntarySwitches(Path.Combine(task, "status")));
            }
            catch (IOException)
            {
                // The thread exited between the listing and the read; it did not wait here.
            }
        }

        return new ProcessUsage(utime + stime, switches);
    }

    /// <summary>CPU seconds the process used since <paramref name="earlier"/>.</summary>
    public double CpuSecondsSince(ProcessUsage earlier) => (_cpuTicks - earlier._cpuTicks) / (double)s_ticksPerSecond;

    /// <summary>
    /// Voluntary context switches (a thread blocked, then was woken) since <paramref name="earlier"/>, by thread name
    /// (<c>/proc/PID/task/TID/comm</c>, at most 15 characters; threads of one name summed), for the threads that woke:
    /// it says which part of the process wakes. Counted over the threads alive now: a thread started meanwhile counts
    /// from zero; one that exited meanwhile is missing.
    /// </summary>
    public SortedDictionary<string, long> WakeupsByThreadSince(ProcessUsage earlier)
    {
        var wakeups = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach ((int thread, (string name, long switches)) in _switchesByThread)
        {
            long count = switches - (earlier._switchesByThread.TryGetValue(thread, out var before) ? before.Switches : 0);
            if (count > 0)
            {
                wakeups[name] = wakeups.GetValueOrDefault(name) + count;
            }
        }

        return wakeups;
    }

    private static long VoluntarySwitches(string statusPath)
    {
        const string Key = "voluntary_ctxt_switches:";
        foreach (string line in File.ReadLines(statusPath))
        {
            if (line.StartsWith(Key, StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(Key.Length).Trim(), CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidDataException($"{statusPath} has no {Key} line.");
    }

    private static long ReadTicksPerSecond()
    {
        long ticks = SysConf(ScClockTicks);
        return ticks > 0 ? ticks : 100;
    }

    [LibraryImport("libc", EntryPoint = "sysconf")]
    private static partial long SysConf(int name);
}
