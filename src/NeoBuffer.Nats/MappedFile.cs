using System;
using System.Globalization;
using System.IO;

namespace NeoBuffer.Nats;

/// <summary>
/// Which file this process has mapped at an address, from <c>/proc/self/maps</c>. A held record's bytes lie in the
/// reader's own mapping of its channel file, so this names that very file, wherever it was opened (a directory in
/// the options, <c>NEOBUFFER_DIR</c> as it was then) and whatever other channel of the same name exists elsewhere.
/// </summary>
internal static class MappedFile
{
    private const string Maps = "/proc/self/maps";

    /// <summary>The path of the file mapped at <paramref name="bytes"/>; null when that memory is not a named file that still exists (anonymous, a memfd, unlinked).</summary>
    public static unsafe string? PathOf(ReadOnlySpan<byte> bytes)
    {
        ulong address;
        fixed (byte* at = bytes)
        {
            address = (ulong)at;
        }

        foreach (string line in File.ReadLines(Maps))
        {
            // "start-end perms offset dev inode   path": the path, if any, is everything after the fifth field.
            int dash = line.IndexOf('-', StringComparison.Ordinal);
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            if (dash < 0 || space < dash
                || !ulong.TryParse(line.AsSpan(0, dash), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong start)
                || !ulong.TryParse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong end)
                || address < start || address >= end)
            {
                continue;
            }

            int slash = line.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0 || line.EndsWith(" (deleted)", StringComparison.Ordinal) || line.AsSpan(slash).StartsWith("/memfd:", StringComparison.Ordinal))
            {
                return null;
            }

            return line[slash..];
        }

        return null;
    }
}
