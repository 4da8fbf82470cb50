using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;

namespace NeoBuffer.Benchmarks.Messages;

/// <summary>
/// Reading fields through the generated <c>View</c> and writing them through the generated <c>Builder</c>, against the
/// same accesses through <c>ref Quote</c> on the same memory (the target: within 10 %). Each operation touches every
/// fixed field of one of <see cref="Records"/> records laid out back to back, 64-byte aligned like ring records.
/// </summary>
[MemoryDiagnoser]
public unsafe class ViewBuilderBenchmarks
{
    private const int Records = 1024;
    private static readonly int Stride = (Quote.Builder.LengthFor(0) + 63) & ~63;
    private byte* _memory;

    [GlobalSetup]
    public void Setup()
    {
        _memory = (byte*)NativeMemory.AlignedAlloc((nuint)(Records * Stride), 64);
        for (int i = 0; i < Records; i++)
        {
            var builder = new Quote.Builder(Record(i), 0) { Timestamp = i, Bid = i * 0.5, Ask = i * 0.5 + 0.25, BidSize = i, AskSize = i + 1, Venue = 3, Firm = true, Flags = 1 };
            _ = builder.Record;
        }
    }

    [GlobalCleanup]
    public void Cleanup() => NativeMemory.AlignedFree(_memory);

    [Benchmark(Baseline = true, OperationsPerInvoke = Records)]
    public double RawStructRead()
    {
        double sum = 0;
        for (int i = 0; i < Records; i++)
        {
            ref readonly Quote quote = ref Unsafe.AsRef<Quote>(_memory + i * Stride);
            sum += quote.Timestamp + quote.Bid + quote.Ask + quote.BidSize + quote.AskSize + quote.Venue + (quote.Firm ? 1 : 0) + quote.Flags;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public double ViewRead()
    {
        double sum = 0;
        for (int i = 0; i < Records; i++)
        {
            var quote = new Quote.View(Record(i));
            sum += quote.Timestamp + quote.Bid + quote.Ask + quote.BidSize + quote.AskSize + quote.Venue + (quote.Firm ? 1 : 0) + quote.Flags;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public void RawStructWrite()
    {
        for (int i = 0; i < Records; i++)
        {
            ref Quote quote = ref Unsafe.AsRef<Quote>(_memory + i * Stride);
            quote = default; // what the builder does: no stale field survives
            quote.Timestamp = i;
            quote.Bid = i;
            quote.Ask = i;
            quote.BidSize = i;
            quote.AskSize = i;
            quote.Venue = 1;
            quote.Firm = true;
            quote.Flags = 2;
        }
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public void BuilderWrite()
    {
        for (int i = 0; i < Records; i++)
        {
            var quote = new Quote.Builder(Record(i), 0);
            quote.Timestamp = i;
            quote.Bid = i;
            quote.Ask = i;
            quote.BidSize = i;
            quote.AskSize = i;
            quote.Venue = 1;
            quote.Firm = true;
            quote.Flags = 2;
        }
    }

    private Span<byte> Record(int i) => new(_memory + i * Stride, Stride);
}
