using System;
using NeoBuffer.TestHost.Messages;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>add-server DIR NAME</c>: serves <see cref="AddRequest"/>s (each answered after its DelayMs; a negative delay is
/// never answered), prints "ready", and serves until killed.
/// </summary>
internal sealed class AddServer : IHostCommand
{
    public string Name => "add-server";

    public int Run(string[] args)
    {
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(args[1], new SharedChannelOptions { Directory = args[0] });
        Console.WriteLine("ready");
        server.ServeAsync(AddAnswer.Answer).GetAwaiter().GetResult();
        return 0;
    }
}
