using System.Collections.Generic;
using CsCheck;
using NeoBuffer.Format;

namespace NeoBuffer.Runtime.Tests;

/// <summary>Properties of record placement, checked over random capacities, positions and payload sizes.</summary>
public sealed class RecordFramingTests
{
    private static readonly Gen<(int CapacityLog, List<int> Lengths)> Streams =
        Gen.Int[12, 18].SelectMany(log => Gen.Int[0, SharedChannelOptions.LargestMessageFor(1L << log)].List[1, 300].Select(lengths => (log, lengths)));

    [Fact]
    public void Records_never_cross_the_end_and_keep_their_alignment()
    {
        Streams.Sample(stream =>
        {
            long capacity = 1L << stream.CapacityLog;
            long position = 0;
            foreach (int length in stream.Lengths)
            {
                long padding = RecordFraming.PaddingBefore(position, length, capacity);
                long start = position + padding;
                long offset = start & (capacity - 1);
                long footprint = RecordFraming.Footprint(length);

                Assert.True(offset + footprint <= capacity, $"record at {offset} of {footprint} bytes crosses the end of {capacity}");
                Assert.Equal(0, start % RecordFraming.RecordAlignment);
                Assert.Equal(0, padding % RecordFraming.RecordAlignment);
                if (length >= RecordFraming.LargePayloadThreshold)
                {
                    Assert.Equal(0, (offset + RecordHeader.Size) % RecordFraming.LargePayloadAlignment);
                }

                Assert.True(padding + footprint <= RecordFraming.WorstCaseFootprint(length), "placement needed more than the worst case the options allow for");
                Assert.True(padding + footprint <= capacity, "a record the options accept did not fit an empty ring");
                position = start + footprint;
            }
        });
    }

    [Fact]
    public void Padding_is_zero_when_a_small_record_fits_before_the_end()
    {
        Gen.Int[0, 4095].Select(i => i * 8L).Sample(position =>
        {
            long capacity = 1 << 16;
            if ((position & (capacity - 1)) + RecordFraming.Footprint(64) <= capacity)
            {
                Assert.Equal(0, RecordFraming.PaddingBefore(position, 64, capacity));
            }
        });
    }

    [Fact]
    public void A_wrapping_record_starts_at_the_ring_start_or_its_alignment()
    {
        long capacity = 4096;
        long position = capacity - 16; // 16 bytes before the end: no 100-byte record fits there
        long padding = RecordFraming.PaddingBefore(position, 100, capacity);
        Assert.Equal(16, padding);
        long large = RecordFraming.PaddingBefore(position, 1024, capacity);
        Assert.Equal(16 + 56, large); // to the end, then to payload offset 64 (record header at 56)
    }
}
