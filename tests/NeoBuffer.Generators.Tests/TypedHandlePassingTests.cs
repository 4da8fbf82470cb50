using System;
using System.IO;
using NeoBuffer.Generators.Tests.Messages;
using NeoBuffer.Testing;

namespace NeoBuffer.Generators.Tests;

/// <summary>A typed message names the handles sent with it through a <see cref="UInt128"/> field, written by its Builder and read by its View.</summary>
public sealed class TypedHandlePassingTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public void A_typed_message_carries_its_handle_batch_in_a_UInt128_field()
    {
        using var channel = new TestChannel("typed-handles");
        using SharedChannelWriter<FileJob> writer = SharedChannel.CreateWriter<FileJob>(channel.Name, channel.Options());
        using SharedChannelReader<FileJob> reader = SharedChannel.OpenReader<FileJob>(channel.Name, channel.Options());
        using var sender = new HandleSender(writer.Untyped);
        using var receiver = new HandleReceiver(reader.Untyped);
        string path = Path.Combine(channel.Directory, "job.txt");
        File.WriteAllText(path, "the job's input");

        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read))
        {
            HandleBatch batch = sender.Send([file], Generous);
            FileJob.Builder job = FileJob.Builder.Claim(writer, 5, Generous);
            job.Id = 7;
            job.Handles = (UInt128)batch;
            "input"u8.CopyTo(job.NoteUtf8);
            job.Commit();
        }

        Assert.True(reader.WaitToRead(Generous));
        Assert.True(reader.TryLease(out MessageLease<FileJob> lease));
        using (lease)
        {
            var view = new FileJob.View(lease);
            Assert.Equal(7, view.Id);
            using ReceivedHandles received = receiver.Receive((HandleBatch)view.Handles, Generous);
            using FileStream input = received.TakeFile(0);
            Assert.Equal("the job's input", new StreamReader(input).ReadToEnd());
        }
    }
}
