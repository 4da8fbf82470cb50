using System;
using NeoBuffer.Testing;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// The MPSC chaos consumer, a child so that it can be killed too (at random, or by the runtime at mpsc.zeroing,
/// mpsc.padding or row.dead-found) and restarted. It records each record on the board before it releases it: releasing
/// consumes it, so a record the board does not show was never consumed and the next consumer reads it; the one record a
/// killed consumer recorded and had not released yet is read again by its successor, and is allowed once, as the first
/// record that successor reads. Per producer the stream must then be exactly 0, 1, 2, ...: a jump forward is a lost
/// committed record (a producer claims in order, so a later record of it means the earlier one was committed, or turned
/// into padding, which loses it), a step back a duplicate. Each finding is printed (the first few) and counted.
/// </summary>
internal sealed class ChaosConsumer : IHostCommand
{
    public const string Verb = "chaos-consume";

    public string Name => Verb;

    /// <summary>Runs it under the parent watch: the child ends when the run that started it does.</summary>
    public int Run(string[] args)
    {
        ParentWatch.Start();
        Consume(args);
        return 0;
    }

    private const int MaxFindingsPrinted = 10;

    /// <summary><c>DIRECTORY NAME BOARD</c>: consumes until the channel completes.</summary>
    public static void Consume(string[] args)
    {
        using var board = SharedCounters.Open(args[2]);
        using SharedChannelReader reader = SharedChannel.OpenReader(args[1], new SharedChannelOptions { Directory = args[0] });
        long redeliverable = board.Read(MpscBoard.Last);
        int printed = 0;
        Console.WriteLine("ready");
        while (true)
        {
            board.Write(MpscBoard.ConsumerBeat, Environment.TickCount64);
            while (reader.TryLease(out ReadLease lease))
            {
                using (lease)
                {
                    string? finding = Record(board, lease.Payload, redeliverable);
                    if (finding is not null && printed++ < MaxFindingsPrinted)
                    {
                        Console.WriteLine(finding);
                    }
                }

                redeliverable = 0; // only the first record may be the predecessor's last one again
            }

            try
            {
                if (!reader.WaitToRead(TimeSpan.FromMilliseconds(500)))
                {
                    break; // completed, and everything claimed before the completion was read
                }
            }
            catch (TimeoutException)
            {
                // Quiet for a while: the heartbeat above shows the consumer is still looping.
            }
        }

        Console.WriteLine(TallyLine.Format(("consumed", board.Read(MpscBoard.Consumed))));
    }

    /// <summary>Checks and records one record; returns what was wrong with it (or the allowed redelivery), else null.</summary>
    private static string? Record(SharedCounters board, ReadOnlySpan<byte> payload, long redeliverable)
    {
        board.Increment(MpscBoard.Consumed);
        string? error = TaggedRecord.Check(payload, out long producer, out long sequence);
        if (error is not null || producer >= MpscBoard.Producers)
        {
            board.Increment(MpscBoard.Corrupt);
            return $"corrupt: {error ?? $"producer {producer} out of range"}";
        }

        long key = ProducerKey.Of(producer, sequence) + 1;
        long expected = board.Read(MpscBoard.Received(producer));
        if (sequence < expected)
        {
            if (key == redeliverable)
            {
                board.Increment(MpscBoard.Redelivered);
                return $"redelivered: producer {producer} record {sequence} (recorded by the killed consumer, not yet released by it)";
            }

            board.Increment(MpscBoard.Backwards);
            return $"backwards: producer {producer} record {sequence} after {expected - 1}";
        }

        string? gap = null;
        if (sequence > expected)
        {
            board.Write(MpscBoard.Gaps, board.Read(MpscBoard.Gaps) + sequence - expected);
            gap = $"gap: producer {producer} records {expected}..{sequence - 1} never arrived (record {sequence} did)";
        }

        // Last before Received: killed between the two, the successor sees this record as the next one expected.
        board.Write(MpscBoard.Last, key);
        board.Write(MpscBoard.Received(producer), sequence + 1);
        return gap;
    }
}
