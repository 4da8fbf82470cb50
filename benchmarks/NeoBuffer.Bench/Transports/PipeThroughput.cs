using System.IO;
using System.IO.Pipes;
using NeoBuffer.Bench.Harness;
using NeoBuffer.Bench.Measurements;
using NeoBuffer.Bench.Report;

using NeoBuffer.Testing;

namespace NeoBuffer.Bench.Transports;

/// <summary>
/// SPSC throughput over an anonymous pipe: a child process inherits the pipe's write end, fills each message into its
/// send buffer and writes it as one length-prefixed frame (one write(2) per message); this process reads frames from
/// the read end and checks each one. The pipe's buffer is raised to 1 MiB (<see cref="PipeCapacity"/>).
/// </summary>
internal static class PipeThroughput
{
    public const string ProducerVerb = "pipe-produce";

    public static Measurement Measure(BenchRun run, int messageBytes)
    {
        long total = run.ThroughputTotal(run.Plan.ThroughputBlock(Scenarios.Pipe, messageBytes));

        using var pipe = new AnonymousPipeServerStream(PipeDirection.In, HandleInheritability.Inheritable);
        PipeCapacity.Raise(pipe);
        using ChildProcess producer = BenchChildren.Start(ProducerVerb, pipe.GetClientHandleAsString(), messageBytes, total);
        pipe.DisposeLocalCopyOfClientHandle();
        using var channel = new FramedStream(pipe, messageBytes);
        return FramedThroughput.Consume(run, Scenarios.Pipe, messageBytes, channel, producer);
    }

    /// <summary>The child: <c>WRITE_HANDLE MESSAGE_BYTES COUNT</c>.</summary>
    public static void Produce(string[] args)
    {
        int messageBytes = int.Parse(args[1]);
        using var channel = new FramedStream(new AnonymousPipeClientStream(PipeDirection.Out, args[0]), messageBytes);
        FramedThroughput.Produce(channel, messageBytes, long.Parse(args[2]));
    }
}
