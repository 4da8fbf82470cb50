using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// Every bad input of handle passing, run back to back, leaves no descriptor open in this process that was not open
/// before (/proc/self/fd). Runs alone: a test in parallel would open descriptors of its own.
/// </summary>
[Collection(nameof(DescriptorCountCollection))]
public sealed class HandleDescriptorCountTests
{
    private static readonly TimeSpan Generous = HandlePassingTests.Generous;
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(200);

    [Fact]
    public void Bad_handle_input_of_every_kind_leaves_no_descriptor_open()
    {
        Exchange(badInput: false); // warms up what the runtime opens lazily (sockets, pipes, statx)
        DescriptorSnapshot before = OpenDescriptors.Snapshot();

        Exchange(badInput: true);

        IReadOnlyList<string> opened = before.OpenedSince();
        Assert.True(opened.Count == 0, $"{opened.Count} descriptors open that were not before the bad input: {string.Join(", ", opened)}");
    }

    private static void Exchange(bool badInput)
    {
        using var pair = new HandleChannelPair();
        (_, SharedChannelWriter writer, SharedChannelReader reader, HandleReceiver receiver, HandleSender sender) = pair;
        using var probe = new HandleProbe();
        int writeEnd = (int)probe.WriteEnd.DangerousGetHandle();

        // Honest: a batch sent, named and taken as the wrong kind, then dropped with the batch.
        HandlePassingTests.Commit(writer, sender.Send([PassedHandle.Pipe(probe.WriteEnd)], Generous));
        using (ReceivedHandles received = receiver.Receive(HandlePassingTests.ReadBatch(reader), Generous))
        {
            if (badInput)
            {
                Assert.Throws<HandleTransferException>(() => received.TakeFile(0));
            }
        }

        if (!badInput)
        {
            return;
        }

        // A batch never sent; batches no message names; a wrong count.
        HandleBatch sent = sender.Send([PassedHandle.Pipe(probe.WriteEnd), PassedHandle.Pipe(probe.WriteEnd)], Generous);
        Assert.Throws<HandleTransferException>(() => receiver.Receive(new HandleBatch(sent.Connection, sent.Sequence + 1, 1), Short));
        sent = sender.Send([PassedHandle.Pipe(probe.WriteEnd)], Generous);
        Assert.Throws<HandleTransferException>(() => receiver.Receive(new HandleBatch(sent.Connection, sent.Sequence, 2), Generous));

        // A hostile writer: a declared kind that is not what came, then too many handles, then a second hello.
        using (HostileHandleConnection hostile = HostileHandleConnection.To(writer))
        {
            hostile.SendBatch(1, [HandleKind.Socket], [writeEnd]);
            Assert.Throws<HandleTransferException>(() => receiver.Receive(new HandleBatch(hostile.Token, 1, 1), Generous));
        }

        using (HostileHandleConnection hostile = HostileHandleConnection.To(writer))
        {
            int[] many = new int[HandleBatch.MaxHandles + 3];
            Array.Fill(many, writeEnd);
            HandleKind[] kinds = new HandleKind[HandleBatch.MaxHandles];
            Array.Fill(kinds, HandleKind.Pipe);
            hostile.SendBatch(1, kinds, many);
            Assert.Throws<HandleTransferException>(() => receiver.Receive(new HandleBatch(hostile.Token, 1, HandleBatch.MaxHandles), Generous));
        }

        // Batches queued and never named, closed with the receiver.
        sender.Send([PassedHandle.Pipe(probe.WriteEnd)], Generous);
        sender.Send([PassedHandle.Pipe(probe.WriteEnd)], Generous);
    }
}
