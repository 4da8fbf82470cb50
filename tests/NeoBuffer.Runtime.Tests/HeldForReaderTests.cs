using System;
using System.IO;
using System.Threading.Tasks;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// A completed stream left unread is held for the next reader (docs/format.md, "Lifetime"); the sweep keeps it exactly
/// while the header still shows completed messages unread, whoever attached to it since and however they ended.
/// </summary>
public sealed class HeldForReaderTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_held_file_drained_by_a_reader_that_was_then_killed_is_swept()
    {
        using var channel = new TestChannel("held");
        WriteCompleteAndLeave(channel, messages: 3);

        await ReadAndKill(channel, count: 3);

        Assert.Equal(1, SharedChannel.RemoveStale(channel.Directory));
        Assert.False(File.Exists(channel.SegmentPath), "an empty, completed ring nobody is attached to was kept");
    }

    [Fact]
    public async Task A_held_file_a_killed_reader_read_only_part_of_is_still_held_for_the_next()
    {
        using var channel = new TestChannel("held");
        WriteCompleteAndLeave(channel, messages: 3);

        await ReadAndKill(channel, count: 1);

        Assert.Equal(0, SharedChannel.RemoveStale(channel.Directory));
        using SharedChannelReader next = SharedChannel.OpenReader(channel.Name, channel.Options());
        int read = 0;
        while (next.WaitToRead(Bound))
        {
            while (next.TryLease(out ReadLease lease))
            {
                lease.Dispose();
                read++;
            }
        }

        Assert.Equal(2, read);
    }

    private static void WriteCompleteAndLeave(TestChannel channel, int messages)
    {
        using (SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options()))
        {
            for (int i = 0; i < messages; i++)
            {
                writer.Write(BitConverter.GetBytes(i), Bound);
            }

            writer.Complete();
        }

        Assert.True(File.Exists(channel.SegmentPath), "the completed, unread stream was not held");
        Assert.Equal(0, SharedChannel.RemoveStale(channel.Directory));
    }

    private static async Task ReadAndKill(TestChannel channel, int count)
    {
        using ChildProcess reader = ChildProcess.Start("read-and-hang", channel.Directory, channel.Name, count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("ready", await reader.FirstLineAsync(Bound));
        await reader.WaitForLineAsync("read", Bound);
        reader.Kill();
        await reader.ExitCodeAsync(Bound);
    }
}
