using System.IO;
using System.IO.Pipes;
using NeoBuffer.Bench.Harness;
using NeoBuffer.Bench.Measurements;
using NeoBuffer.Bench.Report;

using NeoBuffer.Testing;

namespace NeoBuffer.Bench.Transports;

/// <summary>
/// 64 B round trip over two anonymous pipes (a pipe carries one direction): this process writes a ping frame into the
/// child's pipe and blocks in read(2) for the pong on its own; the child blocks in read(2) for each ping and writes it
/// back. Blocking reads are how pipes are used.
/// </summary>
internal static class PipeRoundTrip
{
    public const string EchoVerb = "pipe-echo";

    public static Measurement Measure(BenchRun run, int messageBytes)
    {
        int total = run.RoundTripTotal(run.Plan.RoundTripBlock(Scenarios.Pipe));

        using var toChild = new AnonymousPipeServerStream(PipeDirection.Out, HandleInheritability.Inheritable);
        using var fromChild = new AnonymousPipeServerStream(PipeDirection.In, HandleInheritability.Inheritable);
        using ChildProcess echo = BenchChildren.Start(EchoVerb, toChild.GetClientHandleAsString(), fromChild.GetClientHandleAsString(), messageBytes, total);
        toChild.DisposeLocalCopyOfClientHandle();
        fromChild.DisposeLocalCopyOfClientHandle();
        using var pings = new FramedStream(toChild, messageBytes);
        using var pongs = new FramedStream(fromChild, messageBytes);
        return FramedRoundTrip.Ping(run, Scenarios.Pipe, messageBytes, pings, pongs, echo);
    }

    /// <summary>The child: <c>READ_HANDLE WRITE_HANDLE MESSAGE_BYTES COUNT</c>; echoes COUNT frames.</summary>
    public static void Echo(string[] args)
    {
        int messageBytes = int.Parse(args[2]);
        using var pings = new FramedStream(new AnonymousPipeClientStream(PipeDirection.In, args[0]), messageBytes);
        using var pongs = new FramedStream(new AnonymousPipeClientStream(PipeDirection.Out, args[1]), messageBytes);
        FramedRoundTrip.Echo(pings, pongs, int.Parse(args[3]));
    }
}
