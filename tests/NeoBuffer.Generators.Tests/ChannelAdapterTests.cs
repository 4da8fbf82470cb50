using System;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using NeoBuffer.Testing;
using NeoBuffer.TestHost.Messages;

namespace NeoBuffer.Generators.Tests;

/// <summary>
/// The System.Threading.Channels views of typed endpoints, with a real child process on the other side: code written
/// against ChannelReader/ChannelWriter (here, the BCL's own extension methods and loops) moves messages through shared memory.
/// </summary>
public sealed class ChannelAdapterTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(2);
    private const int Count = 20_000;

    [Fact]
    public async Task A_ChannelReader_view_reads_every_tick_a_child_writes()
    {
        using var channel = new TestChannel("chreader");
        using SharedChannelReader<Tick> shared = SharedChannel.CreateReader<Tick>(channel.Name, channel.Options(1 << 14));
        using ChildProcess producer = ChildProcess.Start("ticks-produce", channel.Directory, channel.Name, Count.ToString());
        ChannelReader<Tick> reader = shared.AsChannelReader();

        long expected = 0;
        using var bound = new CancellationTokenSource(Generous); // a stream that misses its end fails, never hangs
        await foreach (Tick tick in reader.ReadAllAsync(bound.Token)) // ChannelReader<T>'s own ReadAllAsync
        {
            Assert.Equal(FrameContent.Tick(expected), tick);
            expected++;
        }

        Assert.Equal(Count, expected);
        await reader.Completion.WaitAsync(Generous);
        Assert.True(await producer.ExitCodeAsync(Generous) == 0, producer.Output);
    }

    [Fact]
    public async Task A_ChannelWriter_view_writes_ticks_a_child_reads_and_completes_the_channel()
    {
        using var channel = new TestChannel("chwriter");
        using SharedChannelWriter<Tick> shared = SharedChannel.CreateWriter<Tick>(channel.Name, channel.Options(1 << 14));
        using ChildProcess consumer = ChildProcess.Start("ticks-consume", channel.Directory, channel.Name, Count.ToString());
        Assert.Equal("ready", await consumer.FirstLineAsync(Generous));
        ChannelWriter<Tick> writer = shared.AsChannelWriter();

        using var bound = new CancellationTokenSource(Generous);
        for (long sequence = 0; sequence < Count; sequence++)
        {
            await writer.WriteAsync(FrameContent.Tick(sequence), bound.Token); // a 16 KiB ring: this waits for the child
        }

        Assert.True(writer.TryComplete());
        Assert.False(writer.TryWrite(FrameContent.Tick(0)));
        Assert.True(await consumer.ExitCodeAsync(Generous) == 0, consumer.Output);
    }

    [Fact]
    public void Views_of_messages_with_variable_fields_are_refused_with_the_way_out()
    {
        using var channel = new TestChannel("chvar");
        using SharedChannelWriter<VideoFrame> writer = SharedChannel.CreateWriter<VideoFrame>(channel.Name, channel.Options());
        using SharedChannelReader<VideoFrame> reader = SharedChannel.OpenReader<VideoFrame>(channel.Name, channel.Options());
        Assert.Contains("LeaseAllAsync", Assert.Throws<InvalidOperationException>(() => reader.AsChannelReader()).Message);
        Assert.Contains("Builder", Assert.Throws<InvalidOperationException>(() => writer.AsChannelWriter()).Message);
    }
}
