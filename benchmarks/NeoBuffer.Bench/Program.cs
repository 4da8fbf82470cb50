using System;
using NeoBuffer.Bench.Harness;
using NeoBuffer.Bench.Transports;

namespace NeoBuffer.Bench;

/// <summary>
/// <c>NeoBuffer.Bench spsc [--quick] [--json FILE]</c> measures; <c>NeoBuffer.Bench child VERB ARGS</c> is the peer
/// process a measurement starts (not for direct use).
/// </summary>
internal static class Program
{
    private const string Usage = "usage: NeoBuffer.Bench spsc [--quick] [--json FILE]";

    private static int Main(string[] args)
    {
        try
        {
            return args switch
            {
                ["spsc", .. string[] options] => RunSpsc(options),
                ["child", string verb, .. string[] rest] => RunChild(verb, rest),
                _ => Fail(Usage),
            };
        }
        catch (Exception e)
        {
            Console.Error.WriteLine(e);
            return 1;
        }
    }

    private static int RunSpsc(string[] options)
    {
        bool quick = false;
        string? json = null;
        for (int i = 0; i < options.Length; i++)
        {
            switch (options[i])
            {
                case "--quick":
                    quick = true;
                    break;
                case "--json" when i + 1 < options.Length:
                    json = options[++i];
                    break;
                default:
                    return Fail($"unknown option '{options[i]}'. {Usage}");
            }
        }

        CpuPinning.PinParent();
        return SpscSuite.Run(quick ? MeasurementPlan.Quick : MeasurementPlan.Full, json);
    }

    private static int RunChild(string verb, string[] args)
    {
        ParentWatch.Start();
        CpuPinning.PinChild();
        Action<string[]> command = verb switch
        {
            NeoBufferThroughput.ProducerVerb => NeoBufferThroughput.Produce,
            NeoBufferRoundTrip.EchoVerb => NeoBufferRoundTrip.Echo,
            UdsThroughput.ProducerVerb => UdsThroughput.Produce,
            UdsRoundTrip.EchoVerb => UdsRoundTrip.Echo,
            RawPingPong.EchoVerb => RawPingPong.Echo,
            _ => throw new ArgumentException($"Unknown child verb '{verb}'.", nameof(verb)),
        };
        command(args);
        return 0;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 2;
    }
}
