using System;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// Sizes for stress-type tests: short by default so the suite stays fast on two cores, the sizes the issues ask for
/// with <c>NEOBUFFER_FULL_TESTS=1</c>.
/// </summary>
internal static class TestScale
{
    public static bool Full { get; } = Environment.GetEnvironmentVariable("NEOBUFFER_FULL_TESTS") == "1";

    public static long Messages(long full, long quick) => Full ? full : quick;
}
