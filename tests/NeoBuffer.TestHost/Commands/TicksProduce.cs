using System;
using NeoBuffer.TestHost.Messages;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>ticks-produce DIR NAME COUNT</c>: opens the typed channel as its writer and copies COUNT <see cref="Tick"/>s in
/// whole (see <see cref="FrameContent.Tick"/>), then completes it.
/// </summary>
internal sealed class TicksProduce : IHostCommand
{
    public string Name => "ticks-produce";

    public int Run(string[] args)
    {
        var options = new SharedChannelOptions { Directory = args[0] };
        long count = long.Parse(args[2]);
        using SharedChannelWriter<Tick> writer = SharedChannel.OpenWriter<Tick>(args[1], options);
        Console.WriteLine("ready");
        for (long sequence = 0; sequence < count; sequence++)
        {
            writer.Write(FrameContent.Tick(sequence), TimeSpan.FromSeconds(60));
        }

        writer.Complete();
        return 0;
    }
}
