using System;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;

namespace NeoBuffer.Benchmarks;

/// <summary>
/// Cost per 64-byte message of the SPSC hot path with the writer and the reader on one thread: each operation writes
/// one message and reads it back, so the ring stays empty and every commit and release publishes a position. This is
/// the channel's bookkeeping cost without any cross-core cache traffic; the cross-process harness measures the rest.
/// </summary>
[MemoryDiagnoser]
public class SpscInProcessBenchmarks
{
    // Many messages per invocation, so the harness's per-call overhead is negligible next to a ~10 ns operation.
    private const int MessagesPerInvoke = 1024;

    // Messages per TryWriteBatch in the batch benchmark.
    private const int BatchSize = 64;

    private InProcessChannel _channel = null!;
    private Payload64 _source;
    private readonly Payload64[] _batch = new Payload64[BatchSize];

    [GlobalSetup]
    public void Setup()
    {
        _channel = new InProcessChannel(1 << 20);
        for (int i = 0; i < 8; i++)
        {
            _source[i] = i;
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _channel.Dispose();

    /// <summary>Claim 64 B, fill it in place, commit; lease it, sum its 8 longs in place, release.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = MessagesPerInvoke)]
    public long ClaimCommitLease()
    {
        SharedChannelWriter writer = _channel.Writer;
        SharedChannelReader reader = _channel.Reader;
        long sum = 0;
        for (int i = 0; i < MessagesPerInvoke; i++)
        {
            if (!writer.TryClaim(64, out WriteClaim claim))
            {
                throw new InvalidOperationException("The ring is full, but every message was read back.");
            }

            Span<long> fill = MemoryMarshal.Cast<byte, long>(claim.Payload);
            fill[0] = i;
            fill[1] = i;
            fill[2] = i;
            fill[3] = i;
            fill[4] = i;
            fill[5] = i;
            fill[6] = i;
            fill[7] = i;
            claim.Commit();

            if (!reader.TryLease(out ReadLease lease))
            {
                throw new InvalidOperationException("A committed message was not readable.");
            }

            foreach (long value in MemoryMarshal.Cast<byte, long>(lease.Payload))
            {
                sum += value;
            }

            lease.Dispose();
        }

        return sum;
    }

    /// <summary>Copy a 64 B struct in with <c>TryWrite</c> and out with <c>TryRead&lt;T&gt;</c>.</summary>
    [Benchmark(OperationsPerInvoke = MessagesPerInvoke)]
    public long TryWriteTryReadCopy()
    {
        SharedChannelWriter writer = _channel.Writer;
        SharedChannelReader reader = _channel.Reader;
        long sum = 0;
        for (int i = 0; i < MessagesPerInvoke; i++)
        {
            _source[0] = i;
            if (!writer.TryWrite(in _source) || !reader.TryRead(out Payload64 message))
            {
                throw new InvalidOperationException("A message did not make the round through an empty ring.");
            }

            sum += message[0];
        }

        return sum;
    }

    /// <summary>Copy 64 B in from a span with <c>TryWrite</c>, lease it and release it without reading (the floor).</summary>
    [Benchmark(OperationsPerInvoke = MessagesPerInvoke)]
    public int TryWriteSpanLeaseOnly()
    {
        SharedChannelWriter writer = _channel.Writer;
        SharedChannelReader reader = _channel.Reader;
        ReadOnlySpan<byte> source = MemoryMarshal.AsBytes(new ReadOnlySpan<Payload64>(in _source));
        int length = 0;
        for (int i = 0; i < MessagesPerInvoke; i++)
        {
            if (!writer.TryWrite(source) || !reader.TryLease(out ReadLease lease))
            {
                throw new InvalidOperationException("A message did not make the round through an empty ring.");
            }

            length += lease.Length;
            lease.Dispose();
        }

        return length;
    }

    /// <summary>
    /// Copy 64 B structs in with <c>TryWriteBatch</c>, 64 at a time (one publication each), and read them back with
    /// <c>TryReadBatch</c> and a struct handler that sums each in place (Head published once per batch).
    /// </summary>
    [Benchmark(OperationsPerInvoke = MessagesPerInvoke)]
    public long TryWriteBatchTryReadBatch()
    {
        SharedChannelWriter writer = _channel.Writer;
        SharedChannelReader reader = _channel.Reader;
        var summing = new Summing();
        for (int i = 0; i < MessagesPerInvoke; i += BatchSize)
        {
            _batch[0][0] = i;
            if (writer.TryWriteBatch<Payload64>(_batch) != BatchSize || reader.TryReadBatch(ref summing) != BatchSize)
            {
                throw new InvalidOperationException("A batch did not make the round through an empty ring.");
            }
        }

        return summing.Sum;
    }

    private struct Summing : IReadBatchHandler
    {
        public long Sum;

        public bool OnMessage(in BatchMessage message)
        {
            foreach (long value in MemoryMarshal.Cast<byte, long>(message.Payload))
            {
                Sum += value;
            }

            return true;
        }
    }
}
