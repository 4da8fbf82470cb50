using System;
using System.Runtime.Versioning;
using VideoPipeline;

[assembly: SupportedOSPlatform("linux")]

// A producer streams synthetic video frames to several subscriber processes over one broadcast channel:
//   dotnet run -c Release --project samples/VideoPipeline [-- --width 1920 --height 1080 --fps 0 --subscribers 3 --seconds 10]
// This process is the producer. It starts each subscriber by running this program again with --role (Subscriber.cs).
// Exit codes (SampleExit.cs): 0 done or stopped by Ctrl+C/SIGTERM, 1 failed (one line on standard error says why), 2 a
// bad command line.
if (!PipelineOptions.TryParse(args, out PipelineOptions? options, out string? error))
{
    if (error.Length == 0)
    {
        Console.WriteLine(PipelineOptions.Usage); // --help
        return SampleExit.Done;
    }

    return SampleExit.Print(SampleExit.Usage, $"{error} (--help shows the options)");
}

return options.Role is string role
    ? SampleExit.Run(role, () => Subscriber.Run(role, options.Channel))
    : SampleExit.Run("pipeline", () => Pipeline.Run(options));
