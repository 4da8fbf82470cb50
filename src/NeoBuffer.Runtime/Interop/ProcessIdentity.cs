using System;
using System.IO;

namespace NeoBuffer.Interop;

/// <summary>
/// A process named so that a recycled pid is not mistaken for it: the pid plus the process's start time in clock ticks
/// since boot (field 22 of <c>/proc/[pid]/stat</c>).
/// </summary>
internal readonly record struct ProcessIdentity(int Pid, ulong StartTime)
{
    /// <summary>This process.</summary>
    public static ProcessIdentity Current { get; } = new(Environment.ProcessId, ReadStartTime(Environment.ProcessId) ?? 0);

    /// <summary>Reads the start time of <paramref name="pid"/>, or null when no such process exists.</summary>
    public static ulong? ReadStartTime(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // The command name (field 2) is in parentheses and may itself hold spaces and ')': split after the last ')'.
        int close = text.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        string[] fields = text.Substring(close + 2).Split(' ');
        // fields[0] is field 3 (state), so field 22 (starttime) is fields[19].
        return fields.Length > 19 && ulong.TryParse(fields[19], out ulong start) ? start : null;
    }
}
