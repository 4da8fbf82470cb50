using System;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Threading;
using NeoBuffer;

[assembly: SupportedOSPlatform("linux")]

// A producer process and a consumer process over one SPSC channel.
//   dotnet run --project samples/SpscPair                  -> consumer here, producer started as a child process
//   dotnet run --project samples/SpscPair -- consume NAME  -> just the consumer (create the channel, wait for a producer)
//   dotnet run --project samples/SpscPair -- produce NAME  -> just the producer (open the channel and stream)
// Exit codes (SampleExit.cs): 0 every message arrived in order, 1 the run failed or was stopped (one line on standard
// error says why), 2 a bad command line.
const string Usage = "usage: SpscPair [both [NAME] | consume NAME | produce NAME]";
string mode = args.Length > 0 ? args[0] : "both";
if (args.Length > 2 || mode is not ("both" or "consume" or "produce") || (mode != "both" && args.Length != 2))
{
    return SampleExit.Print(SampleExit.Usage, Usage);
}

string name = args.Length > 1 ? args[1] : $"spsc-pair-{Environment.ProcessId}";

// Ctrl+C (which a terminal sends to both processes) and SIGTERM stop the run: each side detaches, and the last one out
// removes the segment.
using var stop = new CancellationTokenSource();
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var onHangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Stop); // the terminal closed
void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}

return mode == "produce"
    ? SampleExit.Run("producer", () => PairRun.Produce(name, stop.Token))
    : SampleExit.Run("consumer", () => PairRun.Consume(name, startProducer: mode == "both", stop.Token));
