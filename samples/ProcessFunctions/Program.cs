using System;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Threading;

[assembly: SupportedOSPlatform("linux")]

// Functions of this program run in child processes of this same program (see Functions.cs):
//   dotnet run --project samples/ProcessFunctions -- add 5 7          -> 12, computed in a child process
//   dotnet run --project samples/ProcessFunctions -- pool [--workers N] [--seconds S]
//                                                                      -> N worker processes, their throughput
// Exit codes (SampleExit.cs): 0 done (also when stopped by Ctrl+C or SIGTERM), 1 failed (one line on standard error
// says why), 2 a bad command line.
using var stop = new CancellationTokenSource();
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}

switch (args)
{
    case ["add", string a, string b] when int.TryParse(a, out int x) && int.TryParse(b, out int y):
        return SampleExit.Run("add", () =>
        {
            Console.WriteLine(Functions.AddProcess.RunAsync(x, y, cancellationToken: stop.Token).GetAwaiter().GetResult());
            return SampleExit.Done;
        });
    case ["pool", .. string[] options] when Options.TryParse(options, out int workers, out int seconds):
        return SampleExit.Run("pool", () => Pool.Run(workers, TimeSpan.FromSeconds(seconds), stop.Token));
    default:
        return SampleExit.Print(SampleExit.Usage, "usage: ProcessFunctions [add A B | pool [--workers N] [--seconds S]]");
}

internal static class Options
{
    public static bool TryParse(string[] args, out int workers, out int seconds)
    {
        workers = 2;
        seconds = 5;
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            bool ok = args[i] switch
            {
                "--workers" => int.TryParse(args[i + 1], out workers) && workers is > 0 and <= 64,
                "--seconds" => int.TryParse(args[i + 1], out seconds) && seconds > 0,
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return args.Length % 2 == 0;
    }
}
