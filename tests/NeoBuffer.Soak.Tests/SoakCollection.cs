using System;

namespace NeoBuffer.Soak.Tests;

/// <summary>
/// One soak run at a time: each starts up to a dozen busy processes, so two at once on a 2-core machine would only
/// stretch both past their bounds, and <see cref="SoakLog"/> holds one run's report.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SoakCollection
{
    public const string Name = "soak";
}

/// <summary>
/// Sizes: a short run of each in the default suite; <c>NEOBUFFER_FULL_TESTS=1</c> runs the sizes the runs were made for
/// (a million records, a hundred kills, a minute of corruption).
/// </summary>
internal static class SoakScale
{
    public static bool Full { get; } = Environment.GetEnvironmentVariable("NEOBUFFER_FULL_TESTS") == "1";

    public static T Pick<T>(T full, T quick) => Full ? full : quick;
}
