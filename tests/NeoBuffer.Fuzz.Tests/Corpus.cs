using System;
using System.IO;
using System.Linq;

namespace NeoBuffer.Fuzz.Tests;

/// <summary>The committed seed corpus, tests/NeoBuffer.Fuzz/corpus, found from the test's output directory.</summary>
internal static class Corpus
{
    public static string Directory { get; } = Find();

    public static (string Name, byte[] Bytes)[] Files() =>
        System.IO.Directory.GetFiles(Directory).OrderBy(f => f, StringComparer.Ordinal)
            .Select(f => (Path.GetFileName(f), File.ReadAllBytes(f))).ToArray();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "NeoBuffer.Fuzz", "corpus");
            if (File.Exists(Path.Combine(dir.FullName, "NeoBuffer.sln")) && System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("tests/NeoBuffer.Fuzz/corpus not found above " + AppContext.BaseDirectory);
    }
}
