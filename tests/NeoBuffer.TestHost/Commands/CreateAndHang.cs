using System;
using System.Threading;

namespace NeoBuffer.TestHost.Commands;

/// <summary><c>create-and-hang DIR NAME</c>: creates a channel as its writer, prints "created", and waits to be killed.</summary>
internal sealed class CreateAndHang : IHostCommand
{
    public string Name => "create-and-hang";

    public int Run(string[] args)
    {
        using SharedChannelWriter writer = SharedChannel.CreateWriter(args[1], new SharedChannelOptions { Directory = args[0] });
        writer.TryWrite(1);
        Console.WriteLine("created");
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }
}
