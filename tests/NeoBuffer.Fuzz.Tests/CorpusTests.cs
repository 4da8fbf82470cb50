using System;
using System.Collections.Generic;
using System.Linq;

namespace NeoBuffer.Fuzz.Tests;

/// <summary>
/// The committed corpus is what <c>--write-corpus</c> produces, runs without a finding, and reaches the decoders'
/// accepting paths (a seed that every stage rejects would only test the first check).
/// </summary>
public sealed class CorpusTests
{
    [Fact]
    public void CommittedCorpusIsReproducible()
    {
        var committed = Corpus.Files().ToDictionary(f => f.Name, f => f.Bytes);
        var generated = CorpusWriter.Seeds().ToDictionary(f => f.Name, f => f.Bytes);
        Assert.Equal(generated.Keys.Order(StringComparer.Ordinal), committed.Keys.Order(StringComparer.Ordinal));
        foreach ((string name, byte[] bytes) in generated)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(committed[name]), $"corpus/{name} differs from the generated seed: run NeoBuffer.Fuzz --write-corpus tests/NeoBuffer.Fuzz/corpus");
        }

        Assert.InRange(committed.Count, 30, 100);
    }

    [Fact]
    public void EveryCorpusFileRunsWithoutFinding()
    {
        foreach ((string name, byte[] bytes) in Corpus.Files())
        {
            Finding.Run(bytes, $"corpus/{name}");
        }
    }

    [Theory]
    [InlineData("header-spsc-raw")]
    [InlineData("header-mpsc-raw")]
    [InlineData("header-broadcast-typed")]
    [InlineData("header-largest-ring")]
    [InlineData("header-smallest-payload")]
    public void ValidHeadersAreAccepted(string name) => Assert.True(HeaderStage.Run(Seed(name)));

    /// <summary>
    /// Each broken header is refused by the check it was made for: a seed refused earlier (a checksum seed whose change
    /// a size check already catches) would pass with its own check deleted.
    /// </summary>
    [Theory]
    [InlineData("header-truncated", "shorter than a channel header")]
    [InlineData("header-bad-magic", "magic number")]
    [InlineData("header-bad-checksum", "checksum does not match")]
    [InlineData("header-bad-version", "format version")]
    [InlineData("header-file-too-long", "its header describes")]
    [InlineData("header-schema-outside", "schema text lies outside")]
    public void BadHeadersAreRejectedByTheirOwnCheck(string name, string reason)
    {
        Assert.False(HeaderStage.Run(Seed(name)));
        Assert.Contains(reason, HeaderStage.Rejection(Seed(name)));
    }

    public static IEnumerable<object[]> RingExpectations() =>
    [
        ["ring-empty", 0], ["ring-one", 1], ["ring-run", 3], ["ring-wrap", 3], ["ring-wrap-exact-end", 2],
        ["ring-large-aligned", 2], ["ring-large-wrap", 1], ["ring-broadcast-run", 2], ["ring-broadcast-wrap", 2],
        ["ring-broadcast-large", 1], ["ring-high-lap", 2], ["ring-small-limit-at-limit", 1], ["ring-small-limit-broadcast", 1],
        ["ring-small-limit-over", -1], ["ring-partial-record", -1], ["ring-zero-length", -1], ["ring-padding-too-short", -1],
        ["ring-bad-type", -1], ["ring-negative-length", -1], ["ring-huge-length", -1], ["ring-crosses-end", -1],
        ["ring-padding-past-tail", -1], ["ring-frame-only-broadcast", -1],
    ];

    /// <summary>Messages the walk decodes through views, or -1 when the ring rejects a record.</summary>
    [Theory]
    [MemberData(nameof(RingExpectations))]
    public void RingSeedsWalkAsExpected(string name, int messages) => Assert.Equal(messages, RingStage.Run(Seed(name)));

    [Theory]
    [InlineData("message-empty", true)]
    [InlineData("message-full", true)]
    [InlineData("message-blob-only", true)]
    [InlineData("message-values-only", true)]
    [InlineData("message-text-only", true)]
    [InlineData("message-tail-cut", false)]
    [InlineData("message-invalid-utf8", true)]
    [InlineData("message-zero-length-anywhere", true)]
    [InlineData("message-too-short", false)]
    [InlineData("message-offset-overflow", false)]
    [InlineData("message-offset-in-fixed", false)]
    [InlineData("message-values-misaligned", false)]
    [InlineData("message-values-odd-length", false)]
    [InlineData("message-length-past-end", false)]
    public void MessageSeedsDecodeAsExpected(string name, bool accepted) => Assert.Equal(accepted, ViewStage.Run(Seed(name)));

    private static byte[] Seed(string name) => Corpus.Files().Single(f => f.Name == name).Bytes;
}
