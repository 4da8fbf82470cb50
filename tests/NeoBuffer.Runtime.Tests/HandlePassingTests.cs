using System;
using System.IO;
using System.IO.Pipes;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;
using NeoBuffer.Handles;
using NeoBuffer.Interop;
using NeoBuffer.Sealed;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// Handles passed with a channel's messages (docs/format.md, "Handle passing"): what arrives works as its .NET type,
/// and every bad input is a clear <see cref="HandleTransferException"/> with each descriptor involved closed (checked
/// exactly with <see cref="HandleProbe"/>: a pipe whose read end sees POLLHUP once every copy of its write end is gone).
/// </summary>
public sealed class HandlePassingTests
{
    internal static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(300);

    [Fact]
    public void A_file_a_socket_and_a_pipe_end_arrive_as_working_objects_of_their_type()
    {
        using var pair = new HandleChannelPair();
        (TestChannel channel, SharedChannelWriter writer, SharedChannelReader reader, HandleReceiver receiver, HandleSender sender) = pair;

        string path = Path.Combine(channel.Directory, "passed.txt");
        File.WriteAllText(path, "hello file");
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint!);
        using Socket accepted = listener.Accept();
        using var pipe = new AnonymousPipeServerStream(PipeDirection.In);

        HandleBatch sent = sender.Send([file, accepted, PassedHandle.Pipe(pipe.ClientSafePipeHandle)], Generous);
        Assert.Equal(3, sent.Count);
        Commit(writer, sent);
        pipe.DisposeLocalCopyOfClientHandle();

        using ReceivedHandles received = receiver.Receive(ReadBatch(reader), Generous);
        Assert.Equal([HandleKind.File, HandleKind.Socket, HandleKind.Pipe], new[] { received.KindOf(0), received.KindOf(1), received.KindOf(2) });

        using (FileStream passedFile = received.TakeFile(0))
        {
            Assert.True(passedFile.CanRead && passedFile.CanWrite);
            Assert.Equal("hello file", new StreamReader(passedFile).ReadToEnd());
            passedFile.Write(" and more"u8);
        }

        Assert.Equal("hello file and more", File.ReadAllText(path));

        using (Socket passedSocket = received.TakeSocket(1))
        {
            passedSocket.Send("ping"u8);
            byte[] buffer = new byte[4];
            client.ReceiveTimeout = (int)Generous.TotalMilliseconds;
            Assert.Equal(4, client.Receive(buffer));
            Assert.Equal("ping", Encoding.ASCII.GetString(buffer));
        }

        using (AnonymousPipeClientStream passedPipe = received.TakePipe(2))
        {
            Assert.True(passedPipe.CanWrite);
            passedPipe.Write("through the pipe"u8);
        }

        Assert.Equal("through the pipe", new StreamReader(pipe).ReadToEnd()); // ends: every write end is closed
        Assert.Throws<InvalidOperationException>(() => received.TakeFile(0));
    }

    [Fact]
    public void A_private_channel_passed_as_a_handle_is_opened_by_the_receiver_and_carries_messages()
    {
        using var pair = new HandleChannelPair();
        (TestChannel channel, SharedChannelWriter writer, SharedChannelReader reader, HandleReceiver receiver, HandleSender sender) = pair;
        using SharedChannelReader privateReader = SharedChannel.CreatePrivateReader("replies", new SharedChannelOptions { Capacity = 1 << 14 });

        Commit(writer, sender.Send([privateReader], Generous));
        using ReceivedHandles received = receiver.Receive(ReadBatch(reader), Generous);
        using (SharedChannelWriter privateWriter = received.TakeChannelWriter(0))
        {
            Assert.Equal("replies", privateWriter.Name);
            privateWriter.Write("over the passed channel"u8, Generous);
            privateWriter.Complete();
        }

        Assert.True(privateReader.WaitToRead(Generous));
        Assert.True(privateReader.TryLease(out ReadLease lease));
        using (lease)
        {
            Assert.Equal("over the passed channel", Encoding.UTF8.GetString(lease.Payload));
        }

        Assert.False(privateReader.WaitToRead(Generous)); // completed by the writer in "another" process
    }

    [Fact]
    public void A_channel_in_a_directory_cannot_be_passed_as_a_handle()
    {
        using var channel = new TestChannel("handles");
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options());
        var error = Assert.Throws<ArgumentException>(() => PassedHandle.Channel(writer));
        Assert.Contains("pass its name instead", error.Message);
    }

    [Fact]
    public void Broadcast_channels_refuse_handle_passing()
    {
        using var channel = new TestChannel("handles");
        SharedChannelOptions options = channel.Options();
        options.Topology = ChannelTopology.Broadcast;
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, options);
        using SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, options);
        Assert.Throws<NotSupportedException>(() => new HandleSender(writer));
        Assert.Throws<NotSupportedException>(() => new HandleReceiver(reader));
    }

    [Fact]
    public void A_message_naming_a_batch_the_socket_never_carried_fails_clearly_and_leaves_nothing_open()
    {
        using var pair = new HandleChannelPair();
        (TestChannel channel, SharedChannelWriter writer, SharedChannelReader reader, HandleReceiver receiver, HandleSender sender) = pair;
        using var first = new HandleProbe();
        using var second = new HandleProbe();

        // Batch 1 is sent, but the message names batch 2, which was never sent: batch 1 is passed over (closed) and the
        // wait for 2 ends at its timeout.
        HandleBatch one = sender.Send([PassedHandle.Pipe(first.WriteEnd)], Generous);
        first.DropLocalWriteEnd();
        var error = Assert.Throws<HandleTransferException>(() => receiver.Receive(new HandleBatch(one.Connection, 2, 1), Short));
        Assert.Contains("did not carry it", error.Message);
        Assert.Equal(1, receiver.UnreferencedBatches);
        Assert.True(first.IsClosedEverywhere(Generous), "batch 1, named by no message, was left open");

        // A token no connection announced.
        error = Assert.Throws<HandleTransferException>(() => receiver.Receive(new HandleBatch(one.Connection ^ 1, 1, 1), Short));
        Assert.Contains("no writer connection announced", error.Message);

        // Batch 2 came, with one handle, but the message says three: it is closed, not handed out.
        HandleBatch two = sender.Send([PassedHandle.Pipe(second.WriteEnd)], Generous);
        second.DropLocalWriteEnd();
        error = Assert.Throws<HandleTransferException>(() => receiver.Receive(new HandleBatch(two.Connection, two.Sequence, 3), Generous));
        Assert.Contains("carried 1 handles", error.Message);
        Assert.True(second.IsClosedEverywhere(Generous), "a batch refused for its count was left open");

        // Batch 3 has come: a message naming batch 2 again fails at once, and batch 3 is still there for its own.
        using var third = new HandleProbe();
        HandleBatch three = sender.Send([PassedHandle.Pipe(third.WriteEnd)], Generous);
        third.DropLocalWriteEnd();
        error = Assert.Throws<HandleTransferException>(() => receiver.Receive(two, Generous));
        Assert.Contains("never sent", error.Message);
        using (ReceivedHandles received = receiver.Receive(three, Generous))
        {
            Assert.Equal(1, received.Count);
        }

        Assert.True(third.IsClosedEverywhere(Generous), "disposing the batch closes a handle nobody took");
        Assert.Throws<HandleTransferException>(() => receiver.Receive(new HandleBatch(1, 1, HandleBatch.MaxHandles + 1), Short));
    }

    [Fact]
    public void A_handle_taken_as_another_kind_is_refused_and_closed_with_its_batch()
    {
        using var pair = new HandleChannelPair();
        (TestChannel channel, SharedChannelWriter writer, SharedChannelReader reader, HandleReceiver receiver, HandleSender sender) = pair;
        using var probe = new HandleProbe();

        Commit(writer, sender.Send([PassedHandle.Pipe(probe.WriteEnd)], Generous));
        probe.DropLocalWriteEnd();
        ReceivedHandles received = receiver.Receive(ReadBatch(reader), Generous);
        var error = Assert.Throws<HandleTransferException>(() => received.TakeFile(0));
        Assert.Contains("is a Pipe, not a File", error.Message);
        Assert.Throws<HandleTransferException>(() => received.TakeSocket(0));
        Assert.Throws<HandleTransferException>(() => received.TakeChannelReader(0));
        Assert.False(probe.IsClosedEverywhere(TimeSpan.Zero), "the batch still holds it until disposed");
        received.Dispose();
        Assert.True(probe.IsClosedEverywhere(Generous), "disposing the batch closes the handle nobody took");
    }

    [Fact]
    public void A_handle_declared_as_another_kind_than_it_is_is_refused_on_arrival()
    {
        using var pair = new HandleChannelPair();
        (_, SharedChannelWriter writer, _, HandleReceiver receiver, _) = pair;
        using var probe = new HandleProbe();
        using HostileHandleConnection hostile = HostileHandleConnection.To(writer);

        hostile.SendBatch(1, [HandleKind.File], [(int)probe.WriteEnd.DangerousGetHandle()]); // a pipe, declared a file
        probe.DropLocalWriteEnd();
        var error = Assert.Throws<HandleTransferException>(() => receiver.Receive(new HandleBatch(hostile.Token, 1, 1), Generous));
        Assert.Contains("handle 0 of batch 1 is a pipe, declared File", error.Message);
        Assert.True(probe.IsClosedEverywhere(Generous), "a refused handle was left open");
    }

    [Fact]
    public void A_batch_of_more_handles_than_allowed_is_refused_and_every_descriptor_closed()
    {
        using var pair = new HandleChannelPair();
        (TestChannel channel, SharedChannelWriter writer, _, HandleReceiver receiver, HandleSender sender) = pair;
        using var probe = new HandleProbe();
        using HostileHandleConnection hostile = HostileHandleConnection.To(writer);

        // 20 copies of one write end, under a header that declares the 16 a batch may hold.
        int[] descriptors = new int[HandleBatch.MaxHandles + 4];
        Array.Fill(descriptors, (int)probe.WriteEnd.DangerousGetHandle());
        HandleKind[] kinds = new HandleKind[HandleBatch.MaxHandles];
        Array.Fill(kinds, HandleKind.Pipe);
        hostile.SendBatch(1, kinds, descriptors);
        probe.DropLocalWriteEnd();

        var error = Assert.Throws<HandleTransferException>(() => receiver.Receive(new HandleBatch(hostile.Token, 1, HandleBatch.MaxHandles), Generous));
        Assert.Contains($"more than {HandleBatch.MaxHandles} handles", error.Message);
        Assert.True(probe.IsClosedEverywhere(Generous), "a descriptor of a batch with too many was left open");

        // The sender's own API refuses too many before anything is sent.
        using var file = new FileStream(Path.Combine(channel.Directory, "f"), FileMode.Create);
        PassedHandle[] tooMany = new PassedHandle[HandleBatch.MaxHandles + 1];
        Array.Fill(tooMany, PassedHandle.File(file));
        Assert.Throws<ArgumentException>(() => sender.Send(tooMany, Generous));
    }

    [Fact]
    public void A_peer_that_sends_handles_without_messages_has_them_closed_never_kept()
    {
        using var pair = new HandleChannelPair();
        (_, SharedChannelWriter writer, _, HandleReceiver receiver, HandleSender sender) = pair;
        var probes = new HandleProbe[5];
        for (int i = 0; i < probes.Length; i++)
        {
            probes[i] = new HandleProbe();
            sender.Send([PassedHandle.Pipe(probes[i].WriteEnd)], Generous);
            probes[i].DropLocalWriteEnd();
        }

        // A connection that sends a batch before (instead of) its hello is refused, and what it sent closed.
        using var intruderProbe = new HandleProbe();
        using (HostileHandleConnection intruder = HostileHandleConnection.To(writer, hello: false))
        {
            intruder.SendBatch(1, [HandleKind.Pipe], [(int)intruderProbe.WriteEnd.DangerousGetHandle()]);
            intruderProbe.DropLocalWriteEnd();
            Assert.Throws<HandleTransferException>(() => receiver.Receive(new HandleBatch(12345, 1, 1), Short));
        }

        Assert.Equal(1, receiver.RefusedConnections);
        Assert.True(intruderProbe.IsClosedEverywhere(Generous), "a refused connection's handle was left open");
        foreach (HandleProbe probe in probes)
        {
            Assert.False(probe.IsClosedEverywhere(TimeSpan.Zero), "queued batches stay until received or the receiver goes");
        }

        receiver.Dispose();
        foreach (HandleProbe probe in probes)
        {
            Assert.True(probe.IsClosedEverywhere(Generous), "a batch no message named outlived the receiver");
            probe.Dispose();
        }
    }

    [Fact]
    public void Each_MPSC_writer_batches_reach_the_messages_that_name_them()
    {
        using var channel = new TestChannel("handles");
        SharedChannelOptions options = channel.Options();
        options.Topology = ChannelTopology.MultiProducerSingleConsumer;
        using SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, options);
        using SharedChannelWriter a = SharedChannel.OpenWriter(channel.Name, options);
        using SharedChannelWriter b = SharedChannel.OpenWriter(channel.Name, options);
        using var receiver = new HandleReceiver(reader);
        using var fromA = new HandleSender(a);
        using var fromB = new HandleSender(b);

        string[] contents = ["a1", "b1", "a2", "b2"];
        foreach (string content in contents)
        {
            string path = Path.Combine(channel.Directory, content);
            File.WriteAllText(path, content);
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read);
            SharedChannelWriter writer = content[0] == 'a' ? a : b;
            Commit(writer, (content[0] == 'a' ? fromA : fromB).Send([file], Generous));
        }

        foreach (string content in contents)
        {
            using ReceivedHandles received = receiver.Receive(ReadBatch(reader), Generous);
            using FileStream file = received.TakeFile(0);
            Assert.Equal(content, new StreamReader(file).ReadToEnd());
        }

        Assert.Equal(0, receiver.UnreferencedBatches);
    }

    [Fact]
    public async Task A_child_is_handed_an_open_file_and_a_fresh_channel_and_uses_both()
    {
        using var channel = new TestChannel("handles");
        using SharedChannelWriter control = SharedChannel.CreateWriter(channel.Name, channel.Options());
        using ChildProcess child = ChildProcess.Start("handles-use", channel.Name, channel.Directory);
        Assert.Equal("ready", await child.FirstLineAsync(Generous));

        string path = Path.Combine(channel.Directory, "shared.txt");
        File.WriteAllText(path, "first line\nsecond line\n");
        using SharedChannelReader replies = SharedChannel.CreatePrivateReader("replies", new SharedChannelOptions { Capacity = 1 << 14 });
        using (var sender = new HandleSender(control))
        using (var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            Commit(control, sender.Send([file, replies], Generous));
        }

        var lines = new System.Collections.Generic.List<string>();
        while (replies.WaitToRead(Generous))
        {
            while (replies.TryLease(out ReadLease lease))
            {
                using (lease)
                {
                    lines.Add(Encoding.UTF8.GetString(lease.Payload));
                }
            }
        }

        Assert.True(await child.ExitCodeAsync(Generous) == 0, child.Output);
        Assert.Equal(["FIRST LINE", "SECOND LINE"], lines);
        Assert.Equal("first line\nsecond line\nchild was here\n", File.ReadAllText(path));
    }

    [Fact]
    public async Task A_squatter_on_the_handle_address_gets_no_handles_and_the_reader_a_clear_error()
    {
        using var pair = new HandleChannelPair(withReceiver: false);
        using ChildProcess squatter = ChildProcess.Start("handle-squat", HandleAddress.Of(pair.Writer.Segment));
        Assert.Equal("ready", await squatter.FirstLineAsync(Generous));

        using var probe = new HandleProbe();
        var error = Assert.Throws<HandleTransferException>(() => pair.Sender.Send([PassedHandle.Pipe(probe.WriteEnd)], Generous));
        Assert.Contains("is not the channel's live reader", error.Message);
        Assert.Contains($"Pid = {squatter.Id}", error.Message);

        error = Assert.Throws<HandleTransferException>(() => new HandleReceiver(pair.Reader));
        Assert.Contains("is taken", error.Message);
    }

    [Fact]
    public void A_sender_whose_reader_has_no_receiver_times_out_with_advice()
    {
        using var pair = new HandleChannelPair(withReceiver: false);
        using var probe = new HandleProbe();
        var error = Assert.Throws<TimeoutException>(() => pair.Sender.Send([PassedHandle.Pipe(probe.WriteEnd)], Short));
        Assert.Contains("Create one on the reader", error.Message);
    }

    [Fact]
    public void A_batch_reference_round_trips_through_its_16_bytes_and_a_UInt128_field()
    {
        var batch = new HandleBatch(0xFEDC_BA98_7654_3210, 0x8000_0001, 16);
        byte[] bytes = new byte[HandleBatch.Size];
        batch.Write(bytes);
        Assert.Equal("1032547698BADCFE0100008010000000", Convert.ToHexString(bytes)); // little-endian: token, sequence, count
        Assert.Equal(batch, HandleBatch.Read(bytes));
        Assert.Equal(batch, (HandleBatch)(UInt128)batch);
        Assert.True(((HandleBatch)(UInt128)HandleBatch.None).IsNone);
        Assert.Throws<ArgumentException>(() => HandleBatch.Read(bytes.AsSpan(0, 15)));
    }

    internal static void Commit(SharedChannelWriter writer, HandleBatch batch)
    {
        WriteClaim claim = writer.Claim(HandleBatch.Size, Generous);
        batch.Write(claim.Payload);
        claim.Commit();
    }

    internal static HandleBatch ReadBatch(SharedChannelReader reader)
    {
        Assert.True(reader.WaitToRead(Generous));
        Assert.True(reader.TryLease(out ReadLease lease));
        using (lease)
        {
            return HandleBatch.Read(lease.Payload);
        }
    }
}
