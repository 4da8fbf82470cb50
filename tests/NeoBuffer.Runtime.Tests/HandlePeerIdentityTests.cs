using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
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
        using SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, channel.Options());
        DescriptorSnapshot beforeReceiver = OpenDescriptors.Snapshot();
        var receiver = new HandleReceiver(reader);
        IReadOnlyList<string> listener = beforeReceiver.OpenedSince(); // its listening socket
        try
        {
            // The child sends, commits and exits; the receiver has not accepted its connection yet (it accepts only
            // inside a receive), so the connection, its hello and its batch wait in the listening socket's backlog.
            using (ChildProcess child = ChildProcess.Start("handles-send-exit", channel.Directory, channel.Name, path))
            {
                Assert.True(0 == await child.ExitCodeAsync(Generous), child.Output + child.ErrorOutput);
                Assert.Contains("committed", child.Output);
            }

            // Counted after the child ran (starting the first child opens descriptors of the runtime's own for good),
            // with the receiver holding only its listening socket.
            DescriptorSnapshot before = OpenDescriptors.Snapshot();
            HandleBatch batch = HandlePassingTests.ReadBatch(reader);
            using (ReceivedHandles received = receiver.Receive(batch, TimeSpan.FromSeconds(5)))
            using (FileStream file = received.TakeFile(0))
            using (var text = new StreamReader(file))
            {
                Assert.Equal("sent by a writer that is gone", text.ReadToEnd());
            }

            Assert.Equal(0, receiver.RefusedConnections);
            receiver.Dispose();
            Assert.Empty(before.OpenedSince()); // nothing received left open
            Assert.Contains(listener, entry => entry.Contains("socket:", StringComparison.Ordinal));
            Assert.Empty(OpenDescriptors.Entries().Intersect(listener)); // the listening socket gone
        }
        finally
        {
            receiver.Dispose();
        }
    }

    [Fact]
    public void A_sender_refuses_a_reader_whose_row_was_recorded_in_another_pid_namespace()
    {
        using var pair = new HandleChannelPair();
        using FileStream file = File.OpenRead(pair.Channel.SegmentPath);

        // As a reader in a container would record itself: the same pid number, another namespace. The listener's pid
        // as this process sees it equals the row's, but the row's pid names a process of the other namespace.
        RecordPidNamespace(pair.Reader.Segment, ParticipantTable.SpscReaderRow, PidNamespace.Current + 1);
        DescriptorSnapshot descriptors = OpenDescriptors.Snapshot();
        HandleTransferException refused = Assert.Throws<HandleTransferException>(() => pair.Sender.Send([PassedHandle.File(file)], Generous));
        Assert.Contains("pid namespace", refused.Message);
        Assert.Empty(descriptors.OpenedSince());

        RecordPidNamespace(pair.Reader.Segment, ParticipantTable.SpscReaderRow, PidNamespace.Current);
        HandlePassingTests.Commit(pair.Writer, pair.Sender.Send([PassedHandle.File(file)], Generous));
        using ReceivedHandles received = pair.Receiver!.Receive(HandlePassingTests.ReadBatch(pair.Reader), Generous);
        Assert.Equal(1, received.Count); // the same reader, recorded in this namespace, is served
    }

    [Fact]
    public void A_receiver_refuses_a_writer_whose_row_was_recorded_in_another_pid_namespace()
    {
        using var pair = new HandleChannelPair();
        using FileStream file = File.OpenRead(pair.Channel.SegmentPath);
        RecordPidNamespace(pair.Writer.Segment, ParticipantTable.SpscWriterRow, PidNamespace.Current + 1);
        HandlePassingTests.Commit(pair.Writer, pair.Sender.Send([PassedHandle.File(file)], Generous));

        Assert.Throws<HandleTransferException>(() => pair.Receiver!.Receive(HandlePassingTests.ReadBatch(pair.Reader), TimeSpan.FromMilliseconds(500)));
        Assert.Equal(1, pair.Receiver!.RefusedConnections);
    }

    // Constructed state: the row's holder recorded as living in the pid namespace given.
    private static unsafe void RecordPidNamespace(Segments.SharedSegment segment, int row, ulong pidNamespace) =>
        Volatile.Write(ref segment.Row(row)->PidNamespace, pidNamespace);
}
