using System;
using System.Runtime.InteropServices;

namespace NeoBuffer;

/// <summary>
/// The clear refusal on other systems. The assembly is marked <c>[SupportedOSPlatform("linux")]</c>, so callers are warned
/// at compile time; a call that runs elsewhere anyway ends here rather than in a missing libc entry point.
/// </summary>
internal static class LinuxOnly
{
    public static void ThrowIfNotLinux()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException(
                $"NeoBuffer channels need Linux (kernel 5.16 or newer): they are built on /dev/shm, futexes, OFD locks and memfd. This process runs on {RuntimeInformation.OSDescription}.");
        }
    }
}
