using System;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// <see cref="SharedChannelReader.Completion"/> completes on its own, as System.Threading.Channels' does: once the writer
/// completed the channel and every message was read, without anyone calling a read method after the end; it faults when
/// the writer died or completed with an error.
/// </summary>
public sealed class CompletionTaskTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(ChannelTopology.SingleProducerSingleConsumer)]
    [InlineData(ChannelTopology.MultiProducerSingleConsumer)]
    [InlineData(ChannelTopology.Broadcast)]
    public async Task A_writer_completing_an_empty_channel_completes_the_readers_Completion_without_any_read(ChannelTopology topology)
    {
        using var channel = new TestChannel("completion");
        SharedChannelOptions options = channel.Options();
        options.Topology = topology;
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, options);
        using SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, channel.Options());
        Task completion = reader.Completion;
        writer.Complete();
        await completion.WaitAsync(Bound);
        Assert.True(completion.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_reader_reading_everything_on_one_thread_completes_Completion_awaited_on_another()
    {
        using var channel = new TestChannel("completion");
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options());
        using SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, channel.Options());
        const int Count = 100;
        for (int i = 0; i < Count; i++)
        {
            writer.Write(BitConverter.GetBytes(i), Bound);
        }

        writer.Complete();
        Task awaited = Task.Run(() => reader.Completion.WaitAsync(Bound));
        Assert.False(reader.Completion.IsCompleted, "Completion completed with every message still unread");

        // Reads exactly the messages written, and never calls a read method again after the last one.
        Task reading = Task.Factory.StartNew(() =>
        {
            for (int read = 0; read < Count;)
            {
                Assert.True(reader.WaitToRead(Bound));
                while (read < Count && reader.TryRead(out int value))
                {
                    Assert.Equal(read++, value);
                }
            }
        }, TaskCreationOptions.LongRunning);
        await reading.WaitAsync(Bound);
        await awaited;
    }

    [Fact]
    public async Task A_killed_writer_faults_Completion_without_any_read()
    {
        using var channel = new TestChannel("completion");
        using SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, channel.Options());
        Task completion = reader.Completion;
        using ChildProcess writer = ChildProcess.Start("claim-and-hang", channel.Directory, channel.Name, "16");
        await writer.WaitForLineAsync("claimed", Bound);
        writer.Kill();
        await writer.ExitCodeAsync(Bound);
        var error = await Assert.ThrowsAsync<ChannelClosedException>(() => completion.WaitAsync(Bound));
        Assert.Contains("died", error.Message);
        Assert.Contains(writer.Id.ToString(), error.Message);
    }

    [Fact]
    public async Task A_writer_completing_with_an_error_faults_Completion_without_any_read()
    {
        using var channel = new TestChannel("completion");
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options());
        using SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, channel.Options());
        Task completion = reader.Completion;
        writer.Complete(new InvalidOperationException("camera unplugged"));
        var error = await Assert.ThrowsAsync<ChannelClosedException>(() => completion.WaitAsync(Bound));
        Assert.Contains("camera unplugged", error.Message);
    }

    [Fact]
    public async Task Disposing_the_reader_faults_a_pending_Completion_instead_of_leaving_it_pending_forever()
    {
        using var channel = new TestChannel("completion");
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options());
        SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, channel.Options());
        Task completion = reader.Completion;
        reader.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => completion.WaitAsync(Bound));
    }
}
