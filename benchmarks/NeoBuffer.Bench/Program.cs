using System;
using NeoBuffer.Bench.Harness;
using NeoBuffer.Bench.Report;
using NeoBuffer.Bench.Transports;

using NeoBuffer.Testing;

namespace NeoBuffer.Bench;

/// <summary>
/// The verbs (docs/harness.md): <c>spsc</c>, <c>broadcast</c>, <c>parked</c>, <c>request</c> and <c>spawn</c> measure, <c>report</c>
/// compares transports, <c>nats</c> measures the NATS bridge; <c>NeoBuffer.Bench child VERB ARGS</c> is a peer process one of
/// them starts (not for direct use). The stress, chaos and hostile runs are tests: tests/NeoBuffer.Soak.Tests.
/// </summary>
internal static class Program
{
    private static readonly string Usage = $"""
        usage: NeoBuffer.Bench spsc [--quick] [--json FILE] [--size BYTES]
               NeoBuffer.Bench broadcast [--quick] [--json FILE]
               NeoBuffer.Bench parked [--quick] [--json FILE]
               NeoBuffer.Bench request [--quick] [--json FILE]
               NeoBuffer.Bench spawn [--quick]
               NeoBuffer.Bench report [--quick] [--json FILE] [--markdown FILE] [--chart FILE.png]
        """;

    private static int Main(string[] args)
    {
        try
        {
            return args switch
            {
                ["spsc", .. string[] options] => RunSpsc(options),
                ["broadcast", .. string[] options] => RunBroadcast(options),
                ["parked", .. string[] options] => RunParked(options),
                ["request", .. string[] options] => RunRequest(options),
                ["report", .. string[] options] => RunReport(options),
                ["nats", .. string[] options] => Nats.NatsVerb.Run(options),
                ["spawn", .. string[] options] => SpawnSuite.Run(options),
                [SpawnSuite.TrivialVerb] => 0, // the baseline's trivial program: this executable, doing nothing
                ["child", string verb, .. string[] rest] => RunChild(verb, rest),
                _ => Fail(Usage),
            };
        }
        catch (UsageException e)
        {
            return Fail($"{e.Message}{Environment.NewLine}{Usage}");
        }
        catch (Exception e)
        {
            // One line, never a stack trace: what failed and why (a child's failure carries the child's own message).
            Console.Error.WriteLine($"NeoBuffer.Bench: {e.GetType().Name}: {e.Message}");
            return 1;
        }
    }

    private static int RunSpsc(string[] args)
    {
        VerbOptions options = VerbOptions.Parse(args, ["--quick"], ["--json", "--size"]);
        CpuPinning.PinParent();
        int? size = options.Text("--size") is null ? null : (int)options.Number("--size", MeasurementPlan.Small);
        return SpscSuite.Run(options.Has("--quick") ? MeasurementPlan.Quick : MeasurementPlan.Full, options.Text("--json"), size);
    }

    private static int RunBroadcast(string[] args)
    {
        VerbOptions options = VerbOptions.Parse(args, ["--quick"], ["--json"]);
        return BroadcastSuite.Run(options.Has("--quick") ? MeasurementPlan.Quick : MeasurementPlan.Full, options.Text("--json"));
    }

    private static int RunParked(string[] args)
    {
        VerbOptions options = VerbOptions.Parse(args, ["--quick"], ["--json"]);
        CpuPinning.PinParent();
        return ParkedSuite.Run(options.Has("--quick") ? MeasurementPlan.Quick : MeasurementPlan.Full, options.Text("--json"));
    }

    private static int RunRequest(string[] args)
    {
        VerbOptions options = VerbOptions.Parse(args, ["--quick"], ["--json"]);
        return RequestSuite.Run(options.Has("--quick") ? MeasurementPlan.Quick : MeasurementPlan.Full, options.Text("--json"));
    }

    private static int RunReport(string[] args)
    {
        VerbOptions options = VerbOptions.Parse(args, ["--quick"], ["--json", "--markdown", "--chart"]);
        CpuPinning.PinParent();
        var outputs = new ReportOutputs(options.Text("--json"), options.Text("--markdown") ?? ReportOutputs.DefaultMarkdown, options.Text("--chart") ?? ReportOutputs.DefaultChart);
        return ReportSuite.Run(options.Has("--quick") ? MeasurementPlan.Quick : MeasurementPlan.Full, outputs, string.Join(' ', ["report", .. args]));
    }

    private static int RunChild(string verb, string[] args)
    {
        ParentWatch.Start();
        CpuPinning.PinChild();
        Action<string[]> command = verb switch
        {
            NeoBufferThroughput.ProducerVerb => NeoBufferThroughput.Produce,
            NeoBufferBatchThroughput.ProducerVerb => NeoBufferBatchThroughput.Produce,
            NeoBufferRoundTrip.EchoVerb => NeoBufferRoundTrip.Echo,
            UdsThroughput.ProducerVerb => UdsThroughput.Produce,
            UdsRoundTrip.EchoVerb => UdsRoundTrip.Echo,
            PipeThroughput.ProducerVerb => PipeThroughput.Produce,
            PipeRoundTrip.EchoVerb => PipeRoundTrip.Echo,
            NetMqThroughput.ProducerVerb => NetMqThroughput.Produce,
            NetMqRoundTrip.EchoVerb => NetMqRoundTrip.Echo,
            RawPingPong.EchoVerb => RawPingPong.Echo,
            RawEcho.EchoVerb => RawEcho.Echo,
            NeoBufferRequests.ServerVerb => NeoBufferRequests.Serve,
            GrpcRequests.ServerVerb => GrpcRequests.Serve,
            BroadcastFrames.SubscriberVerb => BroadcastFrames.Subscribe,
            IdleReaders.ReaderVerb => IdleReaders.Read,
            MpscThroughput.ProducerVerb => MpscThroughput.Produce,
            HandoffBaseline.ProducerVerb => HandoffBaseline.Produce,
            RawReadersBaseline.ReaderVerb => RawReadersBaseline.Read,
            _ => throw new InvalidOperationException($"Unknown child verb '{verb}'."),
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
