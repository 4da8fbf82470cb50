using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Format;
using NeoBuffer.Interop;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// Who is at the other end of a channel's handle socket: a writer that committed and left before the receiver accepted
/// its connection still had its handles delivered (and nothing leaks), and a peer whose row was recorded in another pid
/// namespace is never taken for the process with that pid here. Counts this process's descriptors, so it runs alone.
/// </summary>
[Collection(nameof(DescriptorCountCollection))]
public sealed class HandlePeerIdentityTests
{
    private static readonly TimeSpan Generous = HandlePassingTests.Generous;

    [Fact]
    public async Task Handles_of_a_writer_that_committed_and_exited_before_the_receiver_accepted_are_delivered()
    {
        using var channel = new TestChannel("handle-gone");
        string path = Path.Combine(channel.Directory, "passed.txt");
        File.WriteAllText(path, "sent by a writer that is gone");
        int before = OpenDescriptors.Count();
        using (SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, channel.Options()))
        using (var receiver = new HandleReceiver(reader))
        {
            // The child sends, commits and exits; the receiver has not accepted its connection yet (it accepts only
            // inside a receive), so the connection, its hello and its batch wait in the listening socket's backlog.
            using (ChildProcess child = ChildProcess.Start("handles-send-exit", channel.Directory, channel.Name, path))
            {
                Assert.True(0 == await child.ExitCodeAsync(Generous), child.Output + child.ErrorOutput);
                Assert.Contains("committed", child.Output);
            }

            HandleBatch batch = HandlePassingTests.ReadBatch(reader);
            using (ReceivedHandles received = receiver.Receive(batch, TimeSpan.FromSeconds(5)))
            using (FileStream file = received.TakeFile(0))
            using (var text = new StreamReader(file))
            {
                Assert.Equal("sent by a writer that is gone", text.ReadToEnd());
            }

            Assert.Equal(0, receiver.RefusedConnections);
        }

        Assert.Equal(before, OpenDescriptors.Count());
    }

    [Fact]
    public unsafe void A_sender_refuses_a_reader_whose_row_was_recorded_in_another_pid_namespace()
    {
        using var pair = new HandleChannelPair();
        (TestChannel channel, SharedChannelWriter writer, SharedChannelReader reader, HandleReceiver receiver, HandleSender sender) = pair;
        using var file = new FileStream(channel.SegmentPath, FileMode.Open, FileAccess.Read);

        // As a reader in a container would record itself: the same pid number, another namespace. The listener's pid
        // as this process sees it equals the row's, but the row's pid names a process of the other namespace.
        ParticipantRow* row = reader.Segment.Row(ParticipantTable.SpscReaderRow);
        Volatile.Write(ref row->PidNamespace, PidNamespace.Current + 1);
        int descriptors = OpenDescriptors.Count();

        HandleTransferException refused = Assert.Throws<HandleTransferException>(() => sender.Send([PassedHandle.File(file)], Generous));
        Assert.Contains("pid namespace", refused.Message);
        Assert.Equal(descriptors, OpenDescriptors.Count());

        Volatile.Write(ref row->PidNamespace, PidNamespace.Current);
        HandlePassingTests.Commit(writer, sender.Send([PassedHandle.File(file)], Generous));
        using ReceivedHandles received = receiver.Receive(HandlePassingTests.ReadBatch(reader), Generous);
        Assert.Equal(1, received.Count); // the same reader, recorded in this namespace, is served
    }

    [Fact]
    public unsafe void A_receiver_refuses_a_writer_whose_row_was_recorded_in_another_pid_namespace()
    {
        using var pair = new HandleChannelPair();
        (TestChannel channel, SharedChannelWriter writer, SharedChannelReader reader, HandleReceiver receiver, HandleSender sender) = pair;
        using var file = new FileStream(channel.SegmentPath, FileMode.Open, FileAccess.Read);

        ParticipantRow* row = writer.Segment.Row(ParticipantTable.SpscWriterRow);
        Volatile.Write(ref row->PidNamespace, PidNamespace.Current + 1);
        HandlePassingTests.Commit(writer, sender.Send([PassedHandle.File(file)], Generous));

        Assert.Throws<HandleTransferException>(() => receiver.Receive(HandlePassingTests.ReadBatch(reader), TimeSpan.FromMilliseconds(500)));
        Assert.Equal(1, receiver.RefusedConnections);
    }
}
