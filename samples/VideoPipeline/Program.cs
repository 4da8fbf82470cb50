using System;
using System.Runtime.Versioning;
using VideoPipeline;

[assembly: SupportedOSPlatform("linux")]

// A producer streams synthetic video frames to several subscriber processes over one broadcast channel:
//   dotnet run -c Release --project samples/VideoPipeline [-- --width 1920 --height 1080 --fps 0 --subscribers 3 --seconds 10]
// This process is the producer. It starts each subscriber by running this program again with --role (Subscriber.cs).
if (!PipelineOptions.TryParse(args, out PipelineOptions? options, out string? error))
{
    if (error.Length > 0)
    {
        Console.Error.WriteLine(error);
    }

    Console.Error.WriteLine(PipelineOptions.Usage);
    return 2;
}

return options.Role is string role ? Subscriber.Run(role, options.Channel) : Pipeline.Run(options);
