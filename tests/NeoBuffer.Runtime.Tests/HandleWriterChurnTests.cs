using System;
using System.IO;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// Writers that come and go past <see cref="HandleReceiver.MaxConnections"/>: the receiver lets go of each finished
/// writer's connection, so no later writer is refused and no descriptor is kept per writer gone. Counts this process's
/// descriptors, so it runs alone.
/// </summary>
[Collection(nameof(DescriptorCountCollection))]
public sealed class HandleWriterChurnTests
{
    private static readonly TimeSpan Generous = HandlePassingTests.Generous;

    [Fact]
    public void More_writers_than_the_connection_limit_one_after_another_are_all_served_and_leave_no_descriptor()
    {
        using var channel = new TestChannel("handle-churn");
        SharedChannelOptions options = channel.Options();
        options.Topology = ChannelTopology.MultiProducerSingleConsumer;
        using SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, options);
        using var receiver = new HandleReceiver(reader);
        string path = Path.Combine(channel.Directory, "passed.txt");
        File.WriteAllText(path, "passed");
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read);

        int writers = HandleReceiver.MaxConnections + 1;
        int afterFirst = 0;
        for (int i = 0; i < writers; i++)
        {
            using (SharedChannelWriter writer = SharedChannel.OpenWriter(channel.Name, channel.Options()))
            using (var sender = new HandleSender(writer))
            {
                HandlePassingTests.Commit(writer, sender.Send([PassedHandle.File(file)], Generous));
                HandleBatch batch = HandlePassingTests.ReadBatch(reader);
                ReceivedHandles received;
                try
                {
                    received = receiver.Receive(batch, Generous);
                }
                catch (HandleTransferException error)
                {
                    Assert.Fail($"writer {i + 1}: {error.Message} ({receiver.RefusedConnections} connections refused; {OpenDescriptors.Count() - afterFirst} descriptors more than after the first)");
                    throw;
                }

                using (received)
                {
                    Assert.Equal(1, received.Count);
                }
            } // the writer leaves: its connection ends, and the receiver must let it go

            Assert.Equal(0, receiver.RefusedConnections);
            if (i == 0)
            {
                afterFirst = OpenDescriptors.Baseline();
            }
        }

        int grown = OpenDescriptors.Count() - afterFirst;
        Assert.True(grown <= 1, $"{grown} descriptors more after {writers - 1} more writers came and went (one kept per writer gone?)");
    }
}
