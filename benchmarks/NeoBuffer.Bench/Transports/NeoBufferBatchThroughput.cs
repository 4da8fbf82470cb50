using System;
using NeoBuffer.Bench.Harness;
using NeoBuffer.Bench.Measurements;
using NeoBuffer.Bench.Report;

using NeoBuffer.Testing;

namespace NeoBuffer.Bench.Transports;

/// <summary>
/// SPSC throughput over a NeoBuffer channel through the batch APIs: the child stamps a batch of messages in its private
/// buffer and copies them into the ring with one <c>TryWriteBatch</c> (one publication per batch, waiting with
/// <c>WaitToWrite</c> when the ring is full); this process reads with <c>TryReadBatch</c> and a struct handler, checking
/// each message in place (waiting with <c>WaitToRead</c> when the ring is empty). The same per-message work as
/// <see cref="NeoBufferThroughput"/>: one copy in, a check that reads every byte out.
/// </summary>
internal static class NeoBufferBatchThroughput
{
    public const string ProducerVerb = "neobuffer-batch-produce";

    /// <summary>Messages the producer hands to one <c>TryWriteBatch</c>.</summary>
    public const int BatchSize = 64;

    public static Measurement Measure(BenchRun run, int messageBytes)
    {
        long block = run.Plan.ThroughputBlock(Scenarios.NeoBufferBatch, messageBytes);
        long total = run.ThroughputTotal(block);
        using SharedChannelReader reader = NeoBufferThroughput.CreateChannel(run, "spscb", messageBytes);
        using ChildProcess producer = BenchChildren.Start(ProducerVerb, run.Directory, reader.Name, messageBytes, total);
        var handler = new Checking(new MessageCheck(), run.ThroughputTimer(block));
        while (handler.Check.Received < total)
        {
            if (reader.TryReadBatch(ref handler, (int)Math.Min(int.MaxValue, total - handler.Check.Received)) == 0)
            {
                PeerWait.ForMessage(reader, producer);
            }
        }

        producer.WaitSuccess(BenchRun.ChildTimeout);
        return Measurement.Throughput(Scenarios.NeoBufferBatch, messageBytes, block, handler.Timer.BlockSeconds());
    }

    /// <summary>The child: <c>DIRECTORY NAME MESSAGE_BYTES COUNT</c>.</summary>
    public static void Produce(string[] args)
    {
        using SharedChannelWriter writer = NeoBufferThroughput.OpenChannel(args, out int messageBytes, out long count);
        var source = new MessageSource(messageBytes);
        byte[] staging = GC.AllocateUninitializedArray<byte>(messageBytes * BatchSize, pinned: true);
        var batch = new ReadOnlyMemory<byte>[BatchSize];
        for (int i = 0; i < BatchSize; i++)
        {
            batch[i] = staging.AsMemory(i * messageBytes, messageBytes);
        }

        Console.WriteLine("ready");
        for (long sequence = 0; sequence < count;)
        {
            int size = (int)Math.Min(BatchSize, count - sequence);
            for (int i = 0; i < size; i++)
            {
                source.FillInto(staging.AsSpan(i * messageBytes, messageBytes), sequence + i);
            }

            int written = 0;
            while (written < size)
            {
                int now = writer.TryWriteBatch(batch.AsSpan(written, size - written));
                if (now == 0 && !writer.WaitToWrite(messageBytes))
                {
                    throw new InvalidOperationException("The channel was completed under the producer.");
                }

                written += now;
            }

            sequence += size;
        }

        writer.Complete();
    }

    private struct Checking(MessageCheck check, BlockTimer timer) : IReadBatchHandler
    {
        public readonly MessageCheck Check = check;
        public readonly BlockTimer Timer = timer;

        public bool OnMessage(in BatchMessage message)
        {
            Check.Accept(message.Payload);
            Timer.Count();
            return true;
        }
    }
}
