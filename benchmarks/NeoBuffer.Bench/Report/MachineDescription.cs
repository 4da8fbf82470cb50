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
