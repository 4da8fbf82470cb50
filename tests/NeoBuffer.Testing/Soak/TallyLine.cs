using System;
using System.Collections.Generic;
using System.Globalization;

namespace NeoBuffer.Testing;

/// <summary>
/// A result line of <c>key=value</c> pairs (e.g. <c>lost=0 reported=0 duplicated=0 reordered=0</c>): how a child
/// reports its counts as its last line, and how the parent reads them back and sums them.
/// </summary>
public static class TallyLine
{
    public static string Format(params (string Key, long Value)[] pairs) =>
        string.Join(' ', Array.ConvertAll(pairs, pair => string.Create(CultureInfo.InvariantCulture, $"{pair.Key}={pair.Value}")));

    public static Dictionary<string, long> Parse(string? line)
    {
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string pair in (line ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] parts = pair.Split('=', 2);
            if (parts.Length != 2 || !long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long value))
            {
                throw new FormatException($"Not a result line: '{line}'.");
            }

            values[parts[0]] = value;
        }

        return values;
    }
}
