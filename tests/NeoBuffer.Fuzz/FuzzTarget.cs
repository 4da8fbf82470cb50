using System;

namespace NeoBuffer.Fuzz;

/// <summary>
/// The one entry point the fuzzers drive. The same bytes go through all three decoders a peer's bytes reach: the
/// segment header check, the ring record walk, and a generated message view. Each catches only the exception its
/// decoder documents; anything else escapes and is a finding.
/// </summary>
public static class FuzzTarget
{
    public static void Run(ReadOnlySpan<byte> input)
    {
        HeaderStage.Run(input);
        RingStage.Run(input);
        ViewStage.Run(input);
    }
}
