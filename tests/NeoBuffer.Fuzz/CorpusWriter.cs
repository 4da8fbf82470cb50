using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace NeoBuffer.Fuzz;

/// <summary>
/// Writes the seed corpus (<c>--write-corpus DIR</c>): headers, ring regions and messages, each file named after what
/// it holds. Deterministic: running it again over tests/NeoBuffer.Fuzz/corpus gives the committed files byte for byte.
/// </summary>
public static class CorpusWriter
{
    public static IEnumerable<(string Name, byte[] Bytes)> Seeds() =>
        HeaderSeeds.All().Concat(RingSeeds.All()).Concat(MessageSeeds.All());

    public static int Write(string directory)
    {
        Directory.CreateDirectory(directory);
        int count = 0;
        foreach ((string name, byte[] bytes) in Seeds())
        {
            File.WriteAllBytes(Path.Combine(directory, name), bytes);
            count++;
        }

        Console.WriteLine($"wrote {count} seeds to {directory}");
        return count;
    }
}
