using System;
using NeoBuffer.Testing;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>mpsc-produce-batches DIR NAME PRODUCER COUNT MAXLEN BATCH</c>: joins an MPSC channel as one more writer and writes
/// COUNT sequenced records tagged with PRODUCER (as <c>mpsc-produce</c> does) with <c>TryWriteBatch</c>, BATCH at a time.
/// </summary>
internal sealed class MpscProduceBatches : IHostCommand
{
    public string Name => "mpsc-produce-batches";

    public int Run(string[] args)
    {
        var options = new SharedChannelOptions { Directory = args[0] };
        long producer = long.Parse(args[2]);
        long count = long.Parse(args[3]);
        int maxLength = int.Parse(args[4]);
        int batchSize = int.Parse(args[5]);
        using SharedChannelWriter writer = SharedChannel.OpenWriter(args[1], options);
        Console.WriteLine("ready");
        var batch = new ReadOnlyMemory<byte>[batchSize];
        for (long sequence = 0; sequence < count;)
        {
            int size = (int)Math.Min(batchSize, count - sequence);
            for (int i = 0; i < size; i++)
            {
                long key = ProducerKey.Of(producer, sequence + i);
                byte[] record = new byte[SequencedRecord.LengthOf(key, maxLength)];
                SequencedRecord.Fill(record, key);
                batch[i] = record;
            }

            for (int written = 0; written < size;)
            {
                int now = writer.TryWriteBatch(batch.AsSpan(written, size - written));
                if (now == 0 && !writer.WaitToWrite(batch[written].Length, TimeSpan.FromSeconds(60)))
                {
                    return 3; // completed under it
                }

                written += now;
            }

            sequence += size;
        }

        return 0;
    }
}
