namespace NeoBuffer.Format;

/// <summary>
/// The MPSC claim counter, <see cref="ChannelHeader.ClaimTail"/> (docs/format.md, "MPSC protocol"): the position of the
/// next claim, with <see cref="ClosedBit"/> set once the channel is completed so that every later claim fails.
/// </summary>
internal static class MpscClaimTail
{
    /// <summary>Set once the channel is completed; the rest of the word is the claim position.</summary>
    public const long ClosedBit = 1L << 62;

    /// <summary>The claim position in a ClaimTail word, with the closed bit cleared.</summary>
    public static long PositionOf(long word) => word & ~ClosedBit;

    /// <summary>Whether a ClaimTail word says the channel is completed.</summary>
    public static bool IsClosed(long word) => (word & ClosedBit) != 0;
}
