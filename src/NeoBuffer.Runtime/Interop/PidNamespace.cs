using System;
using System.IO;

namespace NeoBuffer.Interop;

/// <summary>
/// This process's pid namespace, as the inode number of <c>/proc/self/ns/pid</c> (the link reads <c>pid:[N]</c>). A
/// pid means one process only within one namespace: the kernel gives a peer's pid (<c>SO_PEERCRED</c>) as seen from
/// the asking process's namespace, while a participant row records its holder's pid as the holder sees it. So a row's
/// pid can be compared with a peer's only when the row's holder is in the asker's namespace.
/// </summary>
internal static class PidNamespace
{
    /// <summary>The inode of this process's pid namespace; 0 when it cannot be read (no /proc), which matches no row.</summary>
    public static ulong Current { get; } = Read();

    private static ulong Read()
    {
        try
        {
            // "pid:[4026531836]"
            string? target = new FileInfo("/proc/self/ns/pid").LinkTarget;
            if (target is null)
            {
                return 0;
            }

            int open = target.IndexOf('[');
            int close = target.IndexOf(']');
            return open >= 0 && close > open && ulong.TryParse(target.AsSpan(open + 1, close - open - 1), out ulong inode) ? inode : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
