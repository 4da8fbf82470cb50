using System;
using System.Diagnostics;
using Xunit.Abstractions;

namespace NeoBuffer.Fuzz.Tests;

/// <summary>
/// A short deterministic fuzz run in the default suite: every corpus seed mutated by a fixed-seed <see cref="Mutator"/>
/// (the same inputs on every run), 960,000 inputs, about 10 s on two cores; <c>NEOBUFFER_FULL_TESTS=1</c> runs 30 times as many (about 5 min).
/// Any exception other than the documented ones is a failure that names and saves the input.
/// </summary>
public sealed class MutationTests(ITestOutputHelper output)
{
    private static readonly bool Full = Environment.GetEnvironmentVariable("NEOBUFFER_FULL_TESTS") == "1";

    [Fact]
    public void MutatedCorpusRaisesOnlyDocumentedExceptions()
    {
        int perSeed = Full ? 600_000 : 20_000;
        var seeds = Corpus.Files();
        var mutator = new Mutator(20260206);
        var clock = Stopwatch.StartNew();
        long runs = 0;
        for (int round = 0; round < perSeed; round++)
        {
            foreach ((string name, byte[] bytes) in seeds)
            {
                Finding.Run(mutator.Mutate(bytes), $"mutation {round} of corpus/{name}");
                runs++;
            }
        }

        output.WriteLine($"{runs} mutated inputs in {clock.Elapsed.TotalSeconds:F1} s");
    }
}
