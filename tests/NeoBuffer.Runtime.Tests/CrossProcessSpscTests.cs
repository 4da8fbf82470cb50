using System;
using System.Threading.Tasks;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>A child process writes sequenced, checksummed records; this process reads and checks every one.</summary>
public sealed class CrossProcessSpscTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task A_million_variable_size_records_arrive_intact_and_in_order()
    {
        await StreamAndVerify(count: 1_000_000, maxLength: 4096, capacity: 1 << 20, pauseEvery: 0, pauseMicros: 0, readerDelayEvery: 0);
    }

    [Fact]
    public async Task Slow_producer_reader_parks_between_bursts()
    {
        // 1 ms pauses every 50 records: the reader runs dry and parks in the kernel most of the time.
        await StreamAndVerify(count: 5_000, maxLength: 2048, capacity: 1 << 16, pauseEvery: 50, pauseMicros: 1000, readerDelayEvery: 0);
    }

    [Fact]
    public async Task Slow_consumer_keeps_the_ring_full_and_the_writer_waits()
    {
        // A 16 KiB ring and a reader that stalls every 20 records: the writer finds the ring full and parks.
        await StreamAndVerify(count: 20_000, maxLength: 1500, capacity: 1 << 14, pauseEvery: 0, pauseMicros: 0, readerDelayEvery: 20);
    }

    private static async Task StreamAndVerify(long count, int maxLength, long capacity, int pauseEvery, int pauseMicros, int readerDelayEvery)
    {
        using var channel = new TestChannel("xspsc");
        using SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, channel.Options(capacity, maxLength));
        using ChildProcess producer = ChildProcess.Start("spsc-produce", channel.Directory, channel.Name, count.ToString(), maxLength.ToString(), pauseEvery.ToString(), pauseMicros.ToString());

        long expected = 0;
        await Task.Run(() =>
        {
            while (reader.WaitToRead(Generous))
            {
                while (reader.TryRead(out ReadLease lease))
                {
                    using (lease)
                    {
                        string? error = SequencedRecord.Verify(lease.Payload, expected, maxLength);
                        Assert.True(error is null, error);
                    }

                    expected++;
                    if (readerDelayEvery > 0 && expected % readerDelayEvery == 0)
                    {
                        System.Threading.Thread.Sleep(1);
                    }
                }
            }
        });

        Assert.Equal(count, expected);
        Assert.Equal(0, await producer.ExitCodeAsync(Generous));
        Assert.True(reader.Completion.IsCompletedSuccessfully);
    }
}
