using System;
using System.Buffers.Binary;
using System.Diagnostics;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>batch-read-and-die DIR NAME COUNT</c>: opens the channel as its reader and reads its 8-byte messages in one
/// <c>TryReadBatch</c> call, printing each value it handles; inside the handler of the COUNT-th message it SIGKILLs
/// itself, as a crash would: the batch never ends, so whatever it read since it last handed space back is unpublished.
/// </summary>
internal sealed class BatchReadAndDie : IHostCommand
{
    public string Name => "batch-read-and-die";

    public int Run(string[] args)
    {
        using SharedChannelReader reader = SharedChannel.OpenReader(args[1], new SharedChannelOptions { Directory = args[0] });
        var dying = new DyingAt { At = int.Parse(args[2]) };
        while (reader.WaitToRead(TimeSpan.FromSeconds(30)))
        {
            reader.TryReadBatch(ref dying);
        }

        return 3; // the channel completed before the COUNT-th message
    }

    private struct DyingAt : IReadBatchHandler
    {
        public int At;
        public int Handled;

        public bool OnMessage(in BatchMessage message)
        {
            Console.WriteLine(BinaryPrimitives.ReadInt64LittleEndian(message.Payload));
            if (++Handled == At)
            {
                Console.Out.Flush();
                Process.GetCurrentProcess().Kill(); // SIGKILL: no finally block runs, the batch never hands its space back
            }

            return true;
        }
    }
}
