using System;
using System.IO;
using Microsoft.Win32.SafeHandles;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// A peer that scribbles over the shared state: every impossible position, length or type is caught before it is used
/// as an address, and reported as <see cref="ChannelCorruptedException"/>.
/// </summary>
public sealed class CorruptedRingTests
{
    private const long TailOffset = 0x100;
    private const long HeadOffset = 0x180;

    [Theory]
    [InlineData(long.MaxValue)]
    [InlineData(-8)]
    [InlineData(1L << 40)]
    [InlineData(13)]
    public void An_impossible_tail_is_reported_not_followed(long tail)
    {
        using var channel = new TestChannel();
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options(capacity: 4096));
        using SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, channel.Options());
        writer.TryWrite(1);
        Scribble(channel, TailOffset, BitConverter.GetBytes(tail));
        var error = Assert.Throws<ChannelCorruptedException>(() => reader.TryRead(out int _));
        Assert.Contains("tail", error.Message);
    }

    [Fact]
    public void An_impossible_head_is_reported_to_the_writer()
    {
        using var channel = new TestChannel();
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options(capacity: 4096, maxMessageSize: 1000));
        while (writer.TryWrite(new byte[1000]))
        {
        }

        Scribble(channel, HeadOffset, BitConverter.GetBytes(1L << 50));
        Assert.Throws<ChannelCorruptedException>(() => writer.TryWrite(new byte[1000]));
    }

    [Theory]
    [InlineData(int.MaxValue, 1)]
    [InlineData(4, 1)]
    [InlineData(-100, 1)]
    [InlineData(16, 77)]
    public void A_record_header_with_an_impossible_length_or_type_is_reported(int length, int type)
    {
        using var channel = new TestChannel();
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options(capacity: 4096));
        using SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, channel.Options());
        writer.TryWrite(new byte[8]);
        long dataOffset = 4096; // a one-page header for two participants and no schema
        Scribble(channel, dataOffset, [.. BitConverter.GetBytes(length), .. BitConverter.GetBytes(type)]);
        Assert.Throws<ChannelCorruptedException>(() => reader.TryRead(out ReadLease _));
    }

    [Fact]
    public void A_payload_longer_than_the_maximum_is_reported()
    {
        using var channel = new TestChannel();
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options(capacity: 4096, maxMessageSize: 64));
        using SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, channel.Options());
        for (int i = 0; i < 10; i++)
        {
            writer.TryWrite(new byte[64]);
        }

        // The first record claims 200 payload bytes: inside the written region, but above the channel's maximum.
        Scribble(channel, 4096, [.. BitConverter.GetBytes(208), .. BitConverter.GetBytes(1)]);
        Assert.Throws<ChannelCorruptedException>(() => reader.TryRead(out ReadLease _));
    }

    private static void Scribble(TestChannel channel, long offset, byte[] bytes)
    {
        // A write(2) to the file lands in the same pages the processes have mapped, like a hostile peer's store.
        using SafeFileHandle file = File.OpenHandle(channel.SegmentPath, FileMode.Open, FileAccess.ReadWrite);
        RandomAccess.Write(file, bytes, offset);
    }
}
