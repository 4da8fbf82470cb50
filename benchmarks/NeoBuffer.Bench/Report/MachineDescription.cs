using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;

namespace NeoBuffer.Bench.Report;

/// <summary>The machine a run measured, printed with the table so the numbers are never quoted without it.</summary>
internal static class MachineDescription
{
    public static string Describe()
    {
        string cpu = ReadOr("/proc/cpuinfo", text => text.Split('\n')
            .FirstOrDefault(line => line.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim());
        string kernel = ReadOr("/proc/sys/kernel/osrelease", text => text.Trim());
        return $"{Environment.ProcessorCount} CPUs, {cpu}, Linux {kernel}, {RuntimeInformation.FrameworkDescription}";
    }

    /// <summary>
    /// The 1-minute load average: on a 2-CPU machine anything above about 2 while the run spins means other work
    /// competed for the cores, and the figures are lower and noisier than the machine can do.
    /// </summary>
    public static string LoadAverage() => ReadOr("/proc/loadavg", text => text.Split(' ')[0]);

    private static string ReadOr(string path, Func<string, string?> pick)
    {
        try
        {
            return pick(File.ReadAllText(path)) ?? "unknown";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
