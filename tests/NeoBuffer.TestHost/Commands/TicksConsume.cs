using System;
using NeoBuffer.TestHost.Messages;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>ticks-consume DIR NAME COUNT</c>: opens the typed channel as its reader and checks that exactly COUNT
/// <see cref="Tick"/>s arrive in order (see <see cref="FrameContent.Tick"/>) before the channel completes. Exit code 0
/// when they did; 1, with the first difference on stderr, when not.
/// </summary>
internal sealed class TicksConsume : IHostCommand
{
    public string Name => "ticks-consume";

    public int Run(string[] args)
    {
        var options = new SharedChannelOptions { Directory = args[0] };
        long count = long.Parse(args[2]);
        using SharedChannelReader<Tick> reader = SharedChannel.OpenReader<Tick>(args[1], options);
        Console.WriteLine("ready");
        long sequence = 0;
        while (reader.WaitToRead(TimeSpan.FromSeconds(60)))
        {
            while (reader.TryRead(out Tick tick))
            {
                if (!tick.Equals(FrameContent.Tick(sequence)))
                {
                    Console.Error.WriteLine($"tick {sequence} differs");
                    return 1;
                }

                sequence++;
            }
        }

        if (sequence != count)
        {
            Console.Error.WriteLine($"{sequence} ticks arrived, expected {count}");
            return 1;
        }

        return 0;
    }
}
