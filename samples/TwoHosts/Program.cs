using System;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Threading;
using NATS.Client.Core;
using NeoBuffer;
using NeoBuffer.Nats;
using TwoHosts;

[assembly: SupportedOSPlatform("linux")]

// Two "hosts" (two NeoBuffer directories, NEOBUFFER_DIR) joined by NATS:
//   host A:  produce  -> channel 'telemetry' -> bridge-out -> NATS subject
//   host B:  NATS subject -> bridge-in -> channel 'telemetry' -> subscribe
// `demo` starts all four as processes, each with its own NEOBUFFER_DIR, and checks what arrived.
if (!Options.TryParse(args, out Options? options, out string? usage))
{
    Console.Error.WriteLine(usage);
    return 2;
}

using var stop = new CancellationTokenSource();
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}

// The documented failures each become one line and exit code 1 (2 for a bad channel name), never a stack trace: the
// library's through the samples' shared SampleExit, the bridge's here.
return SampleExit.Run(options.Verb, () =>
{
    try
    {
        return options.Verb switch
        {
            "demo" => Demo.Run(options, stop.Token),
            "produce" => Roles.Produce(options, stop.Token),
            "subscribe" => Roles.Subscribe(options, stop.Token),
            "bridge-out" => Roles.BridgeOutAsync(options, stop.Token).GetAwaiter().GetResult(),
            _ => Roles.BridgeInAsync(options, stop.Token).GetAwaiter().GetResult(),
        };
    }
    catch (OperationCanceledException) when (stop.IsCancellationRequested)
    {
        Console.Error.WriteLine($"{options.Verb}: stopped");
        return 130;
    }
    catch (Exception e) when (e is NatsBridgeException or NatsException)
    {
        return SampleExit.Print(SampleExit.Failed, $"{options.Verb}: {e.Message}");
    }
});
