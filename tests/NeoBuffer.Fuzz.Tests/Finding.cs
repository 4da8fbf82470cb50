using System;
using System.IO;

namespace NeoBuffer.Fuzz.Tests;

/// <summary>
/// Runs the fuzz target on one input; an undocumented exception becomes a test failure that names the input and saves
/// it (replay with <c>NeoBuffer.Fuzz --run FILE</c>).
/// </summary>
internal static class Finding
{
    public static void Run(byte[] input, string what)
    {
        try
        {
            FuzzTarget.Run(input);
        }
        catch (Exception e)
        {
            string file = Path.Combine(Path.GetTempPath(), $"neobuffer-fuzz-finding-{Guid.NewGuid():N}.bin");
            File.WriteAllBytes(file, input);
            Assert.Fail($"{what}: undocumented {e.GetType().Name} (input saved to {file}, {input.Length} bytes: {Convert.ToHexString(input.AsSpan(0, Math.Min(input.Length, 256)))}){Environment.NewLine}{e}");
        }
    }
}
