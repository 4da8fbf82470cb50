using System;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>complete-with-error DIR NAME REASON</c>: opens the channel as its writer, prints "ready", and completes it with an
/// error whose message is REASON. With NEOBUFFER_KILL_AT=completion.reason-written it dies in the middle of that.
/// </summary>
internal sealed class CompleteWithError : IHostCommand
{
    public string Name => "complete-with-error";

    public int Run(string[] args)
    {
        using SharedChannelWriter writer = SharedChannel.OpenWriter(args[1], new SharedChannelOptions { Directory = args[0] });
        Console.WriteLine("ready");
        writer.Complete(new InvalidOperationException(args[2]));
        Console.WriteLine("completed");
        return 0;
    }
}
