using System;
using System.Collections.Generic;
using System.Globalization;

namespace NeoBuffer.Bench.Harness;

/// <summary>
/// The options after a verb: <c>--flag</c> switches and <c>--name VALUE</c> pairs, each allowed only where the verb
/// declares it, so a typo fails the run instead of being ignored.
/// </summary>
internal sealed class VerbOptions
{
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    private VerbOptions()
    {
    }

    /// <summary>Parses <paramref name="args"/>; throws <see cref="ArgumentException"/> naming the first unknown or incomplete option.</summary>
    public static VerbOptions Parse(string[] args, string[] flags, string[] valued)
    {
        var options = new VerbOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            if (Array.IndexOf(flags, arg) >= 0)
            {
                options._flags.Add(arg);
            }
            else if (Array.IndexOf(valued, arg) >= 0 && i + 1 < args.Length)
            {
                options._values[arg] = args[++i];
            }
            else
            {
                throw new UsageException($"unknown or incomplete option '{arg}'");
            }
        }

        return options;
    }

    public bool Has(string flag) => _flags.Contains(flag);

    public string? Text(string name) => _values.GetValueOrDefault(name);

    public string Choice(string name, params string[] allowed)
    {
        string value = Text(name) ?? throw new UsageException($"{name} is required ({string.Join('|', allowed)})");
        return Array.IndexOf(allowed, value) >= 0 ? value : throw new UsageException($"{name} must be one of {string.Join('|', allowed)}, not '{value}'");
    }

    public long Number(string name, long fallback, long min = 1)
    {
        if (Text(name) is not string text)
        {
            return fallback;
        }

        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value) || value < min)
        {
            throw new UsageException($"{name} must be a whole number of at least {min}, not '{text}'");
        }

        return value;
    }
}
