using System;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Threading;

[assembly: SupportedOSPlatform("linux")]

// A request/response service between processes.
//   dotnet run --project samples/RequestReply [-- --requests N]       -> a server here and four client processes (N questions each, default 50000); prints requests/s and round-trip p50/p99
//   dotnet run --project samples/RequestReply -- server NAME          -> just the server (Ctrl+C stops it)
//   dotnet run --project samples/RequestReply -- client NAME [--requests N] -> one client: N questions (default 100000), then its numbers
// Exit codes (SampleExit.cs): 0 done or stopped, 1 the service failed or could not be reached, 2 a bad command line.
const string Usage = "usage: RequestReply [--requests N | server NAME | client NAME [--requests N]]";
string mode = args.Length > 0 && args[0] != "--requests" ? args[0] : "demo";
int requests = mode == "demo" ? 50_000 : 100_000;
bool valid = mode switch
{
    "demo" => args.Length == 0 || (args.Length == 2 && RequestCount(args[1])),
    "server" => args.Length == 2,
    "client" => args.Length == 2 || (args.Length == 4 && args[2] == "--requests" && RequestCount(args[3])),
    _ => false,
};

bool RequestCount(string text) => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out requests) && requests > 0;
if (!valid)
{
    return SampleExit.Print(SampleExit.Usage, Usage);
}

// Ctrl+C and SIGTERM stop the run: the server stops serving (its clients' requests fail, saying it closed) and every
// process detaches; the last one out removes the segments.
using var stop = new CancellationTokenSource();
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}

return mode switch
{
    "server" => SampleExit.Run("server", () => ServerRole.RunAsync(args[1], null, stop.Token).GetAwaiter().GetResult()),
    "client" => SampleExit.Run("client", () => ClientRole.RunAsync(args[1], requests, stop.Token).GetAwaiter().GetResult()),
    _ => SampleExit.Run("demo", () => DemoRun.RunAsync(requests, stop.Token).GetAwaiter().GetResult()),
};
