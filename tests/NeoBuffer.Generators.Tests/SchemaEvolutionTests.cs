using System;
using System.Threading.Tasks;
using NeoBuffer.Testing;
using NeoBuffer.TestHost.Messages;

namespace NeoBuffer.Generators.Tests;

/// <summary>
/// Two versions of one message between real processes: a child (NeoBuffer.TestHost) built with one version and this
/// process with the other share a channel, and every field of every order is checked on the reading side, the fields
/// a record's writer did not have as absent.
/// </summary>
public sealed class SchemaEvolutionTests
{
    private const int Count = 2_000;
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task A_version_1_writer_feeds_a_version_2_reader()
    {
        using var channel = new TestChannel("evo12");
        using SharedChannelReader<OrderV2> reader = SharedChannel.CreateReader<OrderV2>(channel.Name, channel.Options());
        using ChildProcess writer = ChildProcess.Start("orders-produce", channel.Directory, channel.Name, "1", "0", Count.ToString(), "complete");

        long read = await Task.Run(() => ReadAll(reader, version2From: long.MaxValue));

        Assert.Equal(Count, read);
        Assert.True(await writer.ExitCodeAsync(Generous) == 0, writer.Output);
    }

    [Fact]
    public async Task A_version_2_writer_feeds_a_version_1_reader()
    {
        using var channel = new TestChannel("evo21");
        using SharedChannelWriter<OrderV2> writer = SharedChannel.CreateWriter<OrderV2>(channel.Name, channel.Options());
        using ChildProcess reader = ChildProcess.Start("orders-consume", channel.Directory, channel.Name, "1", Count.ToString(), "0");
        Assert.Equal("ready", await reader.FirstLineAsync(Generous));

        await Task.Run(() =>
        {
            for (long sequence = 0; sequence < Count; sequence++)
            {
                OrderContent.Write(writer, sequence);
            }

            writer.Complete();
        });

        Assert.True(await reader.ExitCodeAsync(Generous) == 0, reader.Output);
    }

    [Fact]
    public async Task Version_1_and_version_2_writers_at_once_feed_one_mpsc_reader()
    {
        const long version2From = 1_000_000;
        using var channel = new TestChannel("evompsc");
        SharedChannelOptions options = channel.Options();
        options.Topology = ChannelTopology.MultiProducerSingleConsumer;
        options.MaxProducers = 2;
        using SharedChannelReader<OrderV2> reader = SharedChannel.CreateReader<OrderV2>(channel.Name, options);
        using ChildProcess older = ChildProcess.Start("orders-produce", channel.Directory, channel.Name, "1", "0", Count.ToString(), "keep");
        using ChildProcess newer = ChildProcess.Start("orders-produce", channel.Directory, channel.Name, "2", version2From.ToString(), Count.ToString(), "keep");

        // Each writer's order is kept; the two interleave in any way.
        long nextOlder = 0, nextNewer = version2From;
        await Task.Run(() =>
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (nextOlder < Count || nextNewer < version2From + Count)
            {
                Assert.True(clock.Elapsed < Generous, $"read {nextOlder} + {nextNewer - version2From} orders in {Generous}; {older.Output} {newer.Output}");
                if (!reader.WaitToRead(Generous))
                {
                    break;
                }

                while (reader.TryLease(out MessageLease<OrderV2> lease))
                {
                    using (lease)
                    {
                        long sequence = OrderContent.Check(new OrderV2.View(lease), s => s >= version2From);
                        ref long next = ref sequence >= version2From ? ref nextNewer : ref nextOlder;
                        Assert.Equal(next, sequence);
                        next++;
                    }
                }
            }
        });

        Assert.Equal(Count, nextOlder);
        Assert.Equal(version2From + Count, nextNewer);
        Assert.True(await older.ExitCodeAsync(Generous) == 0, older.Output);
        Assert.True(await newer.ExitCodeAsync(Generous) == 0, newer.Output);
    }

    [Fact]
    public async Task A_broadcast_reaches_subscribers_of_both_versions()
    {
        using var channel = new TestChannel("evobcast");
        SharedChannelOptions options = channel.Options();
        options.Topology = ChannelTopology.Broadcast;
        using SharedChannelWriter<OrderV2> writer = SharedChannel.CreateWriter<OrderV2>(channel.Name, options);
        using ChildProcess older = ChildProcess.Start("orders-consume", channel.Directory, channel.Name, "1", Count.ToString(), "0");
        using ChildProcess newer = ChildProcess.Start("orders-consume", channel.Directory, channel.Name, "2", Count.ToString(), "0");
        Assert.Equal("ready", await older.FirstLineAsync(Generous));
        Assert.Equal("ready", await newer.FirstLineAsync(Generous));

        await Task.Run(() =>
        {
            for (long sequence = 0; sequence < Count; sequence++)
            {
                OrderContent.Write(writer, sequence);
            }

            writer.Complete();
        });

        Assert.True(await older.ExitCodeAsync(Generous) == 0, older.Output);
        Assert.True(await newer.ExitCodeAsync(Generous) == 0, newer.Output);
    }

    private static long ReadAll(SharedChannelReader<OrderV2> reader, long version2From)
    {
        long expected = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (reader.WaitToRead(Generous))
        {
            Assert.True(clock.Elapsed < Generous, $"reading {Count} orders did not finish within {Generous}");
            while (reader.TryLease(out MessageLease<OrderV2> lease))
            {
                using (lease)
                {
                    Assert.Equal(expected, OrderContent.Check(new OrderV2.View(lease), s => s >= version2From));
                    expected++;
                }
            }
        }

        return expected;
    }
}
