using System.Collections.Generic;

namespace NeoBuffer.Fuzz;

/// <summary>Ring regions for <see cref="RingStage"/>: well-formed runs (padding, wrap, large payloads, both frames) and malformed records.</summary>
internal static class RingSeeds
{
    public static IEnumerable<(string Name, byte[] Bytes)> All()
    {
        byte[] small = MessageSeeds.Build(1, [1, 2], "a", [5]);
        byte[] empty = MessageSeeds.Build(0, [], string.Empty, []);
        byte[] large = MessageSeeds.Build(2, new byte[1100], "large", [1, 2, 3]);

        yield return ("ring-empty", new RingImage(0, 0).ToInput());
        yield return ("ring-one", new RingImage(0, 0).Add(small).ToInput());
        yield return ("ring-run", new RingImage(0, 64).Add(small).Add(empty).Add(small).ToInput());
        yield return ("ring-wrap", new RingImage(0, 4096 - 48).Add(small).Add(small).Add(empty).ToInput());
        yield return ("ring-wrap-exact-end", new RingImage(0, 4096 - 64).Add(new byte[56]).Add(small).ToInput());
        yield return ("ring-large-aligned", new RingImage(0, 8).Add(large).Add(small).ToInput());
        yield return ("ring-large-wrap", new RingImage(0, 4096 - 800).Add(large).ToInput());
        yield return ("ring-broadcast-run", new RingImage(RingInput.Sequenced, 128).Add(small).Add(empty).ToInput());
        yield return ("ring-broadcast-wrap", new RingImage(RingInput.Sequenced, 4096 - 40).Add(small).Add(small).ToInput());
        yield return ("ring-broadcast-large", new RingImage(RingInput.Sequenced, 24).Add(large).ToInput());
        yield return ("ring-high-lap", new RingImage(0, 4000, uint.MaxValue).Add(small).Add(small).ToInput());
        yield return ("ring-small-limit-at-limit", new RingImage(RingInput.SmallLimit, 0).Add(new byte[FuzzRings.SmallMaxPayload]).ToInput());
        yield return ("ring-small-limit-over", new RingImage(RingInput.SmallLimit, 0).Add(new byte[FuzzRings.SmallMaxPayload + 1]).ToInput());
        yield return ("ring-small-limit-broadcast", new RingImage(RingInput.SmallLimit | RingInput.Sequenced, 0).Add(small).ToInput());
        yield return ("ring-partial-record", new RingImage(0, 0).Add(small).Add(small).ToInput(16));
        yield return ("ring-zero-length", new RingImage(0, 0).Poke(0, 0, 1).ToInput(64));
        yield return ("ring-padding-too-short", new RingImage(0, 0).Poke(0, 4, -1).ToInput(64));
        yield return ("ring-bad-type", new RingImage(0, 0).Poke(0, 16, 7).ToInput(64));
        yield return ("ring-negative-length", new RingImage(0, 0).Poke(0, -8, 1).ToInput(64));
        yield return ("ring-huge-length", new RingImage(0, 0).Poke(0, int.MaxValue, 1).ToInput(64));
        yield return ("ring-crosses-end", new RingImage(0, 4096 - 16).Poke(4096 - 16, 32, 1).ToInput(64));
        yield return ("ring-padding-past-tail", new RingImage(0, 0).Poke(0, 4096, -1).ToInput(64));
        yield return ("ring-frame-only-broadcast", new RingImage(RingInput.Sequenced, 0).Poke(0, 8, 1).ToInput(64));
    }
}
