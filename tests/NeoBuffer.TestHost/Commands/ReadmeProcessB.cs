using System;
using System.Threading.Tasks;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>readme-b NAME</c>: process B of the README's first example, line for line (the channel name is the argument; the
/// directory comes from NEOBUFFER_DIR). Prints "ready" first, then each message's length.
/// </summary>
internal sealed class ReadmeProcessB : IHostCommand
{
    public string Name => "readme-b";

    public int Run(string[] args)
    {
        Console.WriteLine("ready");
        RunAsync(args[0]).GetAwaiter().GetResult();
        return 0;
    }

    private static async Task RunAsync(string telemetry)
    {
        // Process B: open it by name (waiting up to 30 s for A to create it) and read.
        using var reader = SharedChannel.OpenReader(telemetry, options: null, TimeSpan.FromSeconds(30));
        await foreach (ReadOnlyMemory<byte> message in reader.ReadAllAsync())
            Console.WriteLine(message.Length);              // a copy of its own (LeaseAllAsync reads in place instead)
    }
}
