using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace NeoBuffer.Generators.Tests;

/// <summary>
/// The generated source for each scenario in <see cref="Scenarios"/> must equal its baseline under
/// <c>Baselines/SCENARIO/</c>, line for line. After an intended change of the output, run the tests once with
/// <c>NEOBUFFER_UPDATE_BASELINES=1</c> to rewrite the baselines, and review the diff.
/// </summary>
public sealed class BaselineTests
{
    public static TheoryData<string> ScenarioNames => new(Scenarios.All.Keys);

    [Theory]
    [MemberData(nameof(ScenarioNames))]
    public void Generated_source_matches_baseline(string scenario)
    {
        GeneratorDriverRunResult result = GeneratorHarness.RunAll(Scenarios.All[scenario]);
        string directory = Path.Combine(SourceDirectory(), "Baselines", scenario);
        Dictionary<string, string> generated = result.Results.SelectMany(r => r.GeneratedSources).ToDictionary(s => s.HintName, s => s.SourceText.ToString());
        Assert.NotEmpty(generated);

        if (Environment.GetEnvironmentVariable("NEOBUFFER_UPDATE_BASELINES") == "1")
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }

            Directory.CreateDirectory(directory);
            foreach ((string hintName, string text) in generated)
            {
                File.WriteAllText(Path.Combine(directory, hintName), text);
            }

            return;
        }

        string[] expectedFiles = Directory.Exists(directory) ? Directory.GetFiles(directory).Select(f => Path.GetFileName(f)).ToArray() : [];
        Assert.Equal(expectedFiles.Order(), generated.Keys.Order());
        foreach ((string hintName, string text) in generated)
        {
            CompareLines(File.ReadAllText(Path.Combine(directory, hintName)), text, $"{scenario}/{hintName}");
        }
    }

    private static void CompareLines(string expected, string actual, string name)
    {
        string[] expectedLines = expected.Split('\n');
        string[] actualLines = actual.Split('\n');
        for (int i = 0; i < Math.Max(expectedLines.Length, actualLines.Length); i++)
        {
            string? want = i < expectedLines.Length ? expectedLines[i] : null;
            string? got = i < actualLines.Length ? actualLines[i] : null;
            Assert.True(want == got,
                $"{name} line {i + 1} differs from the baseline (rerun with NEOBUFFER_UPDATE_BASELINES=1 if the change is intended):\n" +
                $"  expected: {want ?? "(end of file)"}\n  actual:   {got ?? "(end of file)"}");
        }
    }

    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
