using System;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>complete-with-error DIR NAME REASON [COUNT]</c>: opens the channel as its writer, prints "ready", writes COUNT
/// 8-byte messages 0, 1, ... (none by default), and completes it with an error whose message is REASON. With
/// NEOBUFFER_KILL_AT=completion.reason-written (or mpsc.closed) it dies in the middle of that.
/// </summary>
internal sealed class CompleteWithError : IHostCommand
{
    public string Name => "complete-with-error";

    public int Run(string[] args)
    {
        using SharedChannelWriter writer = SharedChannel.OpenWriter(args[1], new SharedChannelOptions { Directory = args[0] });
        Console.WriteLine("ready");
        long count = args.Length > 3 ? long.Parse(args[3]) : 0;
        for (long value = 0; value < count; value++)
        {
            if (!writer.TryWrite(value))
            {
                throw new InvalidOperationException($"message {value} did not fit: give the channel room for all {count}");
            }
        }

        writer.Complete(new InvalidOperationException(args[2]));
        Console.WriteLine("completed");
        return 0;
    }
}
