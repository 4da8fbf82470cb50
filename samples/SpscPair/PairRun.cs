using System;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Threading;
using NeoBuffer;

/// <summary>The two sides of the pair: 2,000,000 messages of 64 bytes, each carrying its sequence number and send time.</summary>
internal static class PairRun
{
    public const long Messages = 2_000_000;
    public const int MessageBytes = 64;

    /// <summary>How long the consumer waits for a message before it decides no producer is coming.</summary>
    private static readonly TimeSpan s_idleLimit = TimeSpan.FromSeconds(60);

    public static int Produce(string name, CancellationToken stop)
    {
        using SharedChannelWriter writer = SharedChannel.OpenWriter(name);
        Console.WriteLine($"[producer pid {Environment.ProcessId}] streaming {Messages:N0} messages of {MessageBytes} B into '{name}'");
        long sequence = 0;
        try
        {
            for (; sequence < Messages; sequence++)
            {
                // A consumer that died or left fails this wait (ChannelClosedException) once the ring is full.
                WriteClaim claim = writer.Claim(MessageBytes, TimeSpan.FromSeconds(30), stop);
                BinaryPrimitives.WriteInt64LittleEndian(claim.Payload, sequence);
                BinaryPrimitives.WriteInt64LittleEndian(claim.Payload.Slice(8), Stopwatch.GetTimestamp());
                claim.Commit();
            }
        }
        catch (OperationCanceledException)
        {
            return SampleExit.Print(SampleExit.Failed, $"producer: stopped after {sequence:N0} of {Messages:N0} messages");
        }

        writer.Complete();
        return SampleExit.Done;
    }

    public static int Consume(string name, bool startProducer, CancellationToken stop)
    {
        var options = new SharedChannelOptions { Capacity = 1 << 20 };
        SharedChannelReader reader = SharedChannel.CreateReader(name, options);
        ProducerProcess? producer = null;
        try
        {
            Console.WriteLine($"[consumer pid {Environment.ProcessId}] created channel '{name}' ({options.Capacity / 1024} KiB ring)");
            producer = startProducer ? ProducerProcess.Start(name) : null;
            return Receive(reader, name, producer, stop);
        }
        finally
        {
            // Detach first: a producer still streaming then fails at its next wait for room (the reader left) instead
            // of waiting for room that never comes; then make sure the child is gone before this process is.
            reader.Dispose();
            producer?.Dispose();
        }
    }

    private static int Receive(SharedChannelReader reader, string name, ProducerProcess? producer, CancellationToken stop)
    {
        long expected = 0;
        long latencyTicksSum = 0;
        Stopwatch? clock = null;
        try
        {
            string? failure;
            while (WaitForMessages(reader, name, producer, stop, out failure))
            {
                clock ??= Stopwatch.StartNew(); // from the first message, so the producer's start-up is not counted
                while (reader.TryLease(out ReadLease lease))
                {
                    using (lease)
                    {
                        // Anything may be written into a channel by a program that opens it: check before reading.
                        if (lease.Payload.Length != MessageBytes)
                        {
                            return SampleExit.Print(SampleExit.Failed,
                                $"consumer: message {expected:N0} has {lease.Payload.Length} bytes, not {MessageBytes}: another program is writing to '{name}'. Use a name of your own.");
                        }

                        long sequence = BinaryPrimitives.ReadInt64LittleEndian(lease.Payload);
                        if (sequence != expected)
                        {
                            return SampleExit.Print(SampleExit.Failed, $"consumer: expected message {expected:N0}, got {sequence:N0}: messages were lost or reordered.");
                        }

                        latencyTicksSum += Stopwatch.GetTimestamp() - BinaryPrimitives.ReadInt64LittleEndian(lease.Payload.Slice(8));
                    }

                    expected++;
                }
            }

            if (failure is not null)
            {
                return SampleExit.Print(SampleExit.Failed, $"consumer: {failure}");
            }
        }
        catch (OperationCanceledException)
        {
            return SampleExit.Print(SampleExit.Failed, $"consumer: stopped after {expected:N0} of {Messages:N0} messages");
        }

        double seconds = clock?.Elapsed.TotalSeconds ?? 0;
        Console.WriteLine($"[consumer] received {expected:N0} messages in order in {seconds:F2} s: {expected / Math.Max(seconds, 1e-9) / 1e6:F1} M msgs/s, " +
                          $"mean one-way latency {latencyTicksSum * 1e6 / Stopwatch.Frequency / Math.Max(expected, 1):F1} us");
        return expected == Messages
            ? SampleExit.Done
            : SampleExit.Print(SampleExit.Failed, $"consumer: the producer completed the channel after {expected:N0} of {Messages:N0} messages");
    }

    /// <summary>
    /// Waits for messages in one-second slices: a producer child that failed detaches without completing the channel,
    /// which no wait would notice (another producer could still attach), so between slices its exit is checked.
    /// False at the end of the stream, or with <paramref name="failure"/> set when the producer child failed.
    /// </summary>
    private static bool WaitForMessages(SharedChannelReader reader, string name, ProducerProcess? producer, CancellationToken stop, out string? failure)
    {
        failure = null;
        var idle = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return reader.WaitToRead(TimeSpan.FromSeconds(1), stop);
            }
            catch (TimeoutException)
            {
            }

            failure = producer?.Failure;
            if (failure is not null)
            {
                return false;
            }

            if (idle.Elapsed > s_idleLimit)
            {
                throw new TimeoutException($"no message on '{name}' for {s_idleLimit.TotalSeconds:F0} s: is a producer running? Start one: SpscPair produce {name}");
            }
        }
    }
}
