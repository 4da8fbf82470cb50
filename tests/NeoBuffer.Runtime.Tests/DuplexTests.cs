using System;
using System.IO;
using System.Linq;
using System.Threading.Channels;
using System.Threading.Tasks;
using NeoBuffer.Testing;
using NeoBuffer.TestHost.Messages;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// Duplex channels: one segment, a ring each way. A child process echoes what this process writes; each direction
/// completes on its own; a killed peer faults the other side; types, roles and lifetime are those of the whole file.
/// </summary>
public sealed class DuplexTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Messages_go_round_through_a_child_that_echoes_them_and_each_side_ends_its_own_direction()
    {
        const int count = 20_000;
        const int maxLength = 1500;
        using var channel = new TestChannel("duplex");
        using var work = new BoundedWork();
        SharedDuplexChannel duplex = work.Uses(SharedChannel.CreateDuplex(channel.Name, channel.Options(1 << 14, maxLength)));
        using ChildProcess echo = ChildProcess.Start("duplex-echo", channel.Directory, channel.Name);
        Assert.Equal("ready", await echo.FirstLineAsync(Generous));

        // Both rings are small: writing and reading run on their own threads, or each side would wait for the other's room.
        Task writing = work.Start(() =>
        {
            byte[] record = new byte[maxLength];
            for (long sequence = 0; sequence < count; sequence++)
            {
                Span<byte> message = record.AsSpan(0, SequencedRecord.LengthOf(sequence, maxLength));
                SequencedRecord.Fill(message, sequence);
                duplex.Writer.Write(message, Generous, work.Stopping);
            }

            duplex.Writer.Complete();
        });
        Task<long> reading = work.Start(() =>
        {
            var deadline = Deadline.In(Generous, $"reading {count} echoes");
            byte[] inverted = new byte[maxLength];
            long expected = 0;
            while (duplex.Reader.WaitToRead(deadline.Remaining, work.Stopping))
            {
                while (duplex.Reader.TryLease(out ReadLease lease))
                {
                    using (lease)
                    {
                        for (int i = 0; i < lease.Length; i++)
                        {
                            inverted[i] = (byte)~lease.Payload[i];
                        }

                        string? error = SequencedRecord.Verify(inverted.AsSpan(0, lease.Length), expected, maxLength);
                        Assert.True(error is null, error);
                    }

                    expected++;
                }
            }

            return expected;
        });

        await BoundedWork.Within(writing, Generous, "writing");
        Assert.Equal(count, await BoundedWork.Within(reading, Generous, "reading the echoes"));
        await BoundedWork.Within(duplex.Reader.Completion, Generous, "the reader's completion");
        Assert.Equal(0, await echo.ExitCodeAsync(Generous));
    }

    [Fact]
    public async Task Completing_one_direction_leaves_the_other_open()
    {
        using var channel = new TestChannel("duplex");
        using SharedDuplexChannel creator = SharedChannel.CreateDuplex(channel.Name, channel.Options());
        using SharedDuplexChannel opener = SharedChannel.OpenDuplex(channel.Name, channel.Options());

        Assert.True(creator.Writer.TryWrite("last"u8));
        creator.Writer.Complete();
        Assert.True(opener.Reader.TryLease(out ReadLease lease));
        using (lease)
        {
            Assert.Equal("last"u8.ToArray(), lease.Payload.ToArray());
        }

        Assert.False(opener.Reader.WaitToRead(TimeSpan.FromSeconds(10)));
        await opener.Reader.Completion.WaitAsync(Generous);
        Assert.Throws<ChannelClosedException>(() => creator.Writer.Write("more"u8, TimeSpan.FromSeconds(1)));

        // The other way is still open, and ends the same way when its writer completes it.
        Assert.True(opener.Writer.TryWrite("reply"u8));
        Assert.True(creator.Reader.WaitToRead(TimeSpan.FromSeconds(10)));
        Assert.True(creator.Reader.TryLease(out lease));
        using (lease)
        {
            Assert.Equal("reply"u8.ToArray(), lease.Payload.ToArray());
        }

        Assert.False(creator.Reader.Completion.IsCompleted);
        opener.Writer.Complete(new InvalidOperationException("opener is done"));
        ChannelClosedException fault = await Assert.ThrowsAsync<ChannelClosedException>(() => creator.Reader.Completion.WaitAsync(Generous));
        Assert.Contains("opener is done", fault.Message);
    }

    [Fact]
    public async Task A_killed_peer_faults_the_other_side_after_its_last_message_in_both_directions()
    {
        using var channel = new TestChannel("duplex");
        using var work = new BoundedWork();
        SharedDuplexChannel duplex = work.Uses(SharedChannel.CreateDuplex(channel.Name, channel.Options(4096)));
        using ChildProcess echo = ChildProcess.Start("duplex-echo", channel.Directory, channel.Name, "3");
        Assert.Equal("ready", await echo.FirstLineAsync(Generous));
        for (byte i = 0; i < 3; i++)
        {
            duplex.Writer.Write(new[] { i }, Generous);
        }

        await echo.WaitForLineAsync("echoed", Generous);
        echo.Kill();
        await echo.ExitCodeAsync(Generous);

        // The reader reads everything the peer committed before it died, then learns of its death.
        Task<int> reading = work.Start(() =>
        {
            int read = 0;
            try
            {
                var deadline = Deadline.In(Generous, "reading the dead peer's echoes");
                while (duplex.Reader.WaitToRead(deadline.Remaining, work.Stopping))
                {
                    while (duplex.Reader.TryLease(out ReadLease lease))
                    {
                        using (lease)
                        {
                            Assert.Equal((byte)~read, lease.Payload[0]);
                        }

                        read++;
                    }
                }
            }
            catch (ChannelClosedException e) when (e.Message.Contains("died"))
            {
                return read;
            }

            throw new Xunit.Sdk.XunitException("The reader saw the end of the stream instead of its writer's death.");
        });
        Assert.Equal(3, await BoundedWork.Within(reading, Generous, "reading"));

        // The writer, once the ring is full, learns that its reader died instead of waiting for room for ever.
        Task filling = work.Start(() =>
        {
            byte[] message = new byte[512];
            while (true)
            {
                duplex.Writer.Write(message, Generous, work.Stopping);
            }
        });
        ChannelClosedException closed = await Assert.ThrowsAsync<ChannelClosedException>(() => BoundedWork.Within(filling, Generous, "filling the ring"));
        Assert.Contains("died", closed.Message);
    }

    [Fact]
    public void A_typed_duplex_carries_each_type_its_way_and_refuses_a_peer_with_the_types_the_wrong_way_round()
    {
        using var channel = new TestChannel("duplex");
        using SharedDuplexChannel<Tick, VideoFrame> creator = SharedChannel.CreateDuplex<Tick, VideoFrame>(channel.Name, channel.Options());

        ChannelSchemaMismatchException mismatch = Assert.Throws<ChannelSchemaMismatchException>(() => SharedChannel.OpenDuplex<Tick, VideoFrame>(channel.Name, channel.Options()));
        Assert.Equal(VideoFrame.Layout.SchemaText, mismatch.ExpectedSchema);
        Assert.Equal(Tick.Layout.SchemaText, mismatch.ActualSchema);
        Assert.Throws<ChannelSchemaMismatchException>(() => SharedChannel.OpenDuplex(channel.Name, channel.Options()));

        using SharedDuplexChannel<VideoFrame, Tick> opener = SharedChannel.OpenDuplex<VideoFrame, Tick>(channel.Name, channel.Options());
        Assert.True(creator.Writer.TryWrite(new Tick { Sequence = 7, Price = 1.5 }));
        Assert.True(opener.Reader.TryRead(out Tick tick));
        Assert.Equal(7, tick.Sequence);

        Assert.True(VideoFrame.Builder.TryClaim(opener.Writer, 5, 3, 0, out VideoFrame.Builder frame));
        frame.Sequence = 9;
        "front"u8.CopyTo(frame.CameraNameUtf8);
        frame.Commit();
        Assert.True(creator.Reader.TryLease(out MessageLease<VideoFrame> lease));
        using (lease)
        {
            var view = new VideoFrame.View(lease);
            Assert.Equal(9, view.Sequence);
            Assert.Equal("front", view.CameraName);
        }
    }

    [Fact]
    public void A_duplex_channel_is_opened_only_as_one_by_one_peer_and_goes_with_its_last_participant()
    {
        using var channel = new TestChannel("duplex");
        using var plain = new TestChannel("plain", channel);
        using SharedChannelWriter plainWriter = SharedChannel.CreateWriter(plain.Name, plain.Options());
        Assert.Contains("OpenReader", Assert.Throws<ChannelFormatException>(() => SharedChannel.OpenDuplex(plain.Name, plain.Options())).Message);

        SharedDuplexChannel creator = SharedChannel.CreateDuplex(channel.Name, channel.Options());
        Assert.Contains("OpenDuplex", Assert.Throws<ChannelFormatException>(() => SharedChannel.OpenReader(channel.Name, channel.Options())).Message);
        Assert.Contains("OpenDuplex", Assert.Throws<ChannelFormatException>(() => SharedChannel.OpenWriter(channel.Name, channel.Options())).Message);
        Assert.Throws<ArgumentException>(() => SharedChannel.CreateDuplex(channel.Name + "x", new SharedChannelOptions { Directory = channel.Directory, Topology = ChannelTopology.MultiProducerSingleConsumer }));

        SharedDuplexChannel opener = SharedChannel.OpenDuplex(channel.Name, channel.Options());
        Assert.Throws<ChannelRoleTakenException>(() => SharedChannel.OpenDuplex(channel.Name, channel.Options()));

        ChannelInfo info = Assert.Single(SharedChannel.List(channel.Directory), c => c.Name == channel.Name);
        Assert.True(info.IsDuplex);
        Assert.Equal(2, info.Participants.Count(p => p.IsAlive));
        Assert.False(Assert.Single(SharedChannel.List(channel.Directory), c => c.Name == plain.Name).IsDuplex);

        creator.Dispose();
        Assert.True(File.Exists(channel.SegmentPath));
        opener.Dispose();
        Assert.False(File.Exists(channel.SegmentPath));
    }

    [Fact]
    public async Task A_duplex_channel_whose_creator_was_killed_is_swept_as_one_file()
    {
        using var channel = new TestChannel("duplex");
        using (ChildProcess creator = ChildProcess.Start("create-and-hang", channel.Directory, channel.Name, "duplex"))
        {
            Assert.Equal("created", await creator.FirstLineAsync(Generous));
            Assert.False(Assert.Single(SharedChannel.List(channel.Directory)).IsStale);
            creator.Kill();
            await creator.ExitCodeAsync(Generous);
        }

        Assert.True(Assert.Single(SharedChannel.List(channel.Directory)).IsStale);
        Assert.Equal(1, SharedChannel.RemoveStale(channel.Directory));
        Assert.False(File.Exists(channel.SegmentPath));
    }

    [Fact]
    public void A_corrupted_second_ring_header_is_refused_at_open_and_the_file_left_alone()
    {
        using var channel = new TestChannel("duplex");
        using SharedDuplexChannel creator = SharedChannel.CreateDuplex(channel.Name, channel.Options());
        long second = 4096 + channel.Options().Capacity; // the first image: one header page, then its ring
        using (FileStream file = File.OpenWrite(channel.SegmentPath))
        {
            file.Position = second + 0x18; // the second ring's Capacity, under its header checksum
            file.Write(BitConverter.GetBytes(1L << 20));
        }

        byte[] before = File.ReadAllBytes(channel.SegmentPath);
        ChannelFormatException refused = Assert.Throws<ChannelFormatException>(() => SharedChannel.OpenDuplex(channel.Name, channel.Options()));
        Assert.Contains(channel.SegmentPath, refused.Message);
        Assert.Equal(before, File.ReadAllBytes(channel.SegmentPath));
    }
}
