using System;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;

namespace NeoBuffer.Benchmarks.Messages;

/// <summary>
/// What reading through an older or newer schema costs. Each operation creates a view over one of
/// <see cref="Records"/> records (laid out back to back, 64-byte aligned like ring records) and sums every field the
/// view has: the baseline is a message without a version (no prefix, no <c>Has</c> check); then a version 2 view over
/// version 2 records (the <c>Has</c> checks pass), over version 1 records (they fail: defaults), and a version 1 view
/// over version 2 and over version 1 records. Min and median are shown: on a loaded machine the least-disturbed
/// iterations say more than the mean.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public unsafe class VersionedViewBenchmarks
{
    private const int Records = 1024;
    private const int Stride = 64;
    private byte* _plain, _older, _newer;

    [GlobalSetup]
    public void Setup()
    {
        _plain = Allocate();
        _older = Allocate();
        _newer = Allocate();
        for (int i = 0; i < Records; i++)
        {
            _ = new PlainQuote.Builder(Record(_plain, i)) { Timestamp = i, Bid = i, Ask = i + 1, BidSize = i, AskSize = i, Venue = 3 };
            _ = new VersionedQuoteV1.Builder(Record(_older, i)) { Timestamp = i, Bid = i, Ask = i + 1, BidSize = i };
            _ = new VersionedQuoteV2.Builder(Record(_newer, i)) { Timestamp = i, Bid = i, Ask = i + 1, BidSize = i, AskSize = i, Venue = 3 };
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        NativeMemory.AlignedFree(_plain);
        NativeMemory.AlignedFree(_older);
        NativeMemory.AlignedFree(_newer);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Records)]
    public double Unversioned()
    {
        double sum = 0;
        for (int i = 0; i < Records; i++)
        {
            var quote = new PlainQuote.View(Record(_plain, i));
            sum += quote.Timestamp + quote.Bid + quote.Ask + quote.BidSize + quote.AskSize + quote.Venue;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public double NewerViewOfNewerRecords() => SumV2(_newer);

    [Benchmark(OperationsPerInvoke = Records)]
    public double NewerViewOfOlderRecords() => SumV2(_older);

    [Benchmark(OperationsPerInvoke = Records)]
    public double OlderViewOfOlderRecords() => SumV1(_older);

    [Benchmark(OperationsPerInvoke = Records)]
    public double OlderViewOfNewerRecords() => SumV1(_newer);

    private static double SumV2(byte* memory)
    {
        double sum = 0;
        for (int i = 0; i < Records; i++)
        {
            var quote = new VersionedQuoteV2.View(Record(memory, i));
            sum += quote.Timestamp + quote.Bid + quote.Ask + quote.BidSize + quote.AskSize + quote.Venue;
        }

        return sum;
    }

    private static double SumV1(byte* memory)
    {
        double sum = 0;
        for (int i = 0; i < Records; i++)
        {
            var quote = new VersionedQuoteV1.View(Record(memory, i));
            sum += quote.Timestamp + quote.Bid + quote.Ask + quote.BidSize;
        }

        return sum;
    }

    private static byte* Allocate() => (byte*)NativeMemory.AlignedAlloc(Records * Stride, 64);

    private static Span<byte> Record(byte* memory, int i) => new(memory + i * Stride, Stride);
}
