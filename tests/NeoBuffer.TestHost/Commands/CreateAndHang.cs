using System;
using System.Threading;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>create-and-hang DIR NAME [duplex]</c>: creates a channel as its writer (or, with <c>duplex</c>, a duplex channel),
/// writes one message, prints "created", and waits to be killed.
/// </summary>
internal sealed class CreateAndHang : IHostCommand
{
    public string Name => "create-and-hang";

    public int Run(string[] args)
    {
        var options = new SharedChannelOptions { Directory = args[0] };
        using IDisposable channel = args.Length > 2 && args[2] == "duplex"
            ? SharedChannel.CreateDuplex(args[1], options)
            : SharedChannel.CreateWriter(args[1], options);
        SharedChannelWriter writer = channel as SharedChannelWriter ?? ((SharedDuplexChannel)channel).Writer;
        writer.TryWrite(1);
        Console.WriteLine("created");
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }
}
