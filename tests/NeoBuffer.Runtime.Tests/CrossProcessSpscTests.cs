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

    [Fact]
    public async Task A_participant_without_membarrier_switches_the_channel_to_fenced_publication()
    {
        // The child cannot use the asymmetric fence (as under a seccomp filter that refuses membarrier): it marks the
        // channel, and from then on both sides fence every publication. The stream must stay intact either way.
        await StreamAndVerify(count: 100_000, maxLength: 512, capacity: 1 << 16, pauseEvery: 100, pauseMicros: 200, readerDelayEvery: 0,
            childEnvironment: new() { ["NEOBUFFER_FENCED_PUBLICATION"] = "1" },
            afterOpen: channel => Assert.Equal(1, FencedPublicationFlag(channel)));
    }

    private static int FencedPublicationFlag(TestChannel channel)
    {
        byte[] flag = new byte[4];
        using var file = System.IO.File.OpenHandle(channel.SegmentPath);
        System.IO.RandomAccess.Read(file, flag, 0x88);
        return BitConverter.ToInt32(flag);
    }

    private static async Task StreamAndVerify(long count, int maxLength, long capacity, int pauseEvery, int pauseMicros, int readerDelayEvery,
        System.Collections.Generic.Dictionary<string, string>? childEnvironment = null, Action<TestChannel>? afterOpen = null)
    {
        using var channel = new TestChannel("xspsc");
        using var work = new BoundedWork();
        SharedChannelReader reader = work.Uses(SharedChannel.CreateReader(channel.Name, channel.Options(capacity, maxLength)));
        using ChildProcess producer = ChildProcess.StartWith(childEnvironment, "spsc-produce", channel.Directory, channel.Name, count.ToString(), maxLength.ToString(), pauseEvery.ToString(), pauseMicros.ToString());

        if (afterOpen is not null)
        {
            Assert.Equal("ready", await producer.FirstLineAsync(Generous));
            afterOpen(channel);
        }

        long expected = 0;
        Task reading = work.Start(() =>
        {
            var deadline = Deadline.In(Generous, $"reading {count} records");
            while (reader.WaitToRead(deadline.Remaining))
            {
                while (reader.TryLease(out ReadLease lease))
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
        await BoundedWork.Within(reading, Generous + TimeSpan.FromSeconds(30), "the reader");

        Assert.Equal(count, expected);
        Assert.Equal(0, await producer.ExitCodeAsync(Generous));
        Assert.True(reader.Completion.IsCompletedSuccessfully);
    }
}
