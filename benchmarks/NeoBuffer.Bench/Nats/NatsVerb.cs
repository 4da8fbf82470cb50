using NeoBuffer.Bench.Harness;

namespace NeoBuffer.Bench.Nats;

/// <summary>Parses <c>nats [--quick] [--json FILE] [--url URL]</c> and runs <see cref="NatsSuite"/>.</summary>
internal static class NatsVerb
{
    public static int Run(string[] args)
    {
        VerbOptions options = VerbOptions.Parse(args, ["--quick"], ["--json", "--url"]);
        return NatsSuite.Run(options.Has("--quick"), options.Text("--json"), options.Text("--url"));
    }
}
