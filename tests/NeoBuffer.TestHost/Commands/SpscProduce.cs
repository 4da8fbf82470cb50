using System;
using System.Diagnostics;
using System.Threading;
using NeoBuffer.Testing;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>spsc-produce DIR NAME COUNT MAXLEN PAUSE_EVERY PAUSE_US</c>: opens the channel as its writer and writes COUNT
/// sequenced records of up to MAXLEN bytes, claiming and filling each in place, pausing PAUSE_US microseconds after
/// every PAUSE_EVERY records (0: never), then completes the channel.
/// </summary>
internal sealed class SpscProduce : IHostCommand
{
    public string Name => "spsc-produce";

    public int Run(string[] args)
    {
        var options = new SharedChannelOptions { Directory = args[0] };
        long count = long.Parse(args[2]);
        int maxLength = int.Parse(args[3]);
        int pauseEvery = int.Parse(args[4]);
        int pauseMicros = int.Parse(args[5]);
        using SharedChannelWriter writer = SharedChannel.OpenWriter(args[1], options);
        Console.WriteLine("ready");
        for (long sequence = 0; sequence < count; sequence++)
        {
            WriteClaim claim = writer.Claim(SequencedRecord.LengthOf(sequence, maxLength), TimeSpan.FromSeconds(60));
            SequencedRecord.Fill(claim.Payload, sequence);
            claim.Commit();
            if (pauseEvery > 0 && sequence % pauseEvery == pauseEvery - 1)
            {
                Pause(pauseMicros);
            }
        }

        writer.Complete();
        return 0;
    }

    private static void Pause(int micros)
    {
        if (micros >= 1000)
        {
            Thread.Sleep(micros / 1000);
            return;
        }

        long until = Stopwatch.GetTimestamp() + micros * Stopwatch.Frequency / 1_000_000;
        while (Stopwatch.GetTimestamp() < until)
        {
            Thread.SpinWait(10);
        }
    }
}
