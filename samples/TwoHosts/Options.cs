using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using NeoBuffer.Nats;

namespace TwoHosts;

/// <summary>The command line: a verb and its options.</summary>
internal sealed class Options
{
    public const string Usage =
        "usage: TwoHosts VERB [options]\n" +
        "  demo        run all four roles as processes, host A and host B in two NEOBUFFER_DIRs, and check what arrived\n" +
        "  produce     host A: write --count Telemetry messages into the channel, then complete it\n" +
        "  bridge-out  host A: create the channel as its reader and forward it to the NATS subject\n" +
        "  bridge-in   host B: create the channel as its writer and fill it from the NATS subject\n" +
        "  subscribe   host B: read the channel to its end and check every sequence number arrived\n" +
        "options: --url nats://127.0.0.1:4222  --subject twohosts.telemetry  --channel telemetry  --count 10000  --rate 0\n" +
        "         --mode jetstream|core (jetstream)  --stream TWOHOSTS  --consumer host-b";

    public string Verb { get; private set; } = "";

    public string Url { get; private set; } = "nats://127.0.0.1:4222";

    public string Subject { get; set; } = "twohosts.telemetry";

    public string Channel { get; private set; } = "telemetry";

    public int Count { get; private set; } = 10_000;

    /// <summary>produce: messages per second (0: as fast as the ring takes them).</summary>
    public int Rate { get; private set; }

    public NatsBridgeMode Mode { get; private set; } = NatsBridgeMode.JetStream;

    public string Stream { get; private set; } = "TWOHOSTS";

    public string Consumer { get; set; } = "host-b";

    /// <summary>The options as arguments again, for the processes the demo starts.</summary>
    public IEnumerable<string> Arguments()
    {
        yield return "--url";
        yield return Url;
        yield return "--subject";
        yield return Subject;
        yield return "--channel";
        yield return Channel;
        yield return "--count";
        yield return Count.ToString();
        yield return "--rate";
        yield return Rate.ToString();
        yield return "--mode";
        yield return Mode == NatsBridgeMode.Core ? "core" : "jetstream";
        yield return "--stream";
        yield return Stream;
        yield return "--consumer";
        yield return Consumer;
    }

    public static bool TryParse(string[] args, [NotNullWhen(true)] out Options? options, [NotNullWhen(false)] out string? error)
    {
        options = null;
        error = Usage;
        if (args.Length == 0 || args[0] is not ("demo" or "produce" or "bridge-out" or "bridge-in" or "subscribe"))
        {
            return false;
        }

        var parsed = new Options { Verb = args[0] };
        for (int i = 1; i < args.Length; i += 2)
        {
            if (i + 1 >= args.Length)
            {
                error = $"{args[i]} needs a value\n{Usage}";
                return false;
            }

            string value = args[i + 1];
            switch (args[i])
            {
                case "--url": parsed.Url = value; break;
                case "--subject": parsed.Subject = value; break;
                case "--channel": parsed.Channel = value; break;
                case "--stream": parsed.Stream = value; break;
                case "--consumer": parsed.Consumer = value; break;
                case "--count" when int.TryParse(value, out int count) && count > 0: parsed.Count = count; break;
                case "--rate" when int.TryParse(value, out int rate) && rate >= 0: parsed.Rate = rate; break;
                case "--mode" when value is "core" or "jetstream":
                    parsed.Mode = value == "core" ? NatsBridgeMode.Core : NatsBridgeMode.JetStream;
                    break;
                default:
                    error = $"unknown option or bad value: {args[i]} {value}\n{Usage}";
                    return false;
            }
        }

        options = parsed;
        return true;
    }
}
