using System;
using System.IO;
using System.Security.Cryptography;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>Segment files: names, creation, opening, roles, lifetime, and files that are not (valid) channels.</summary>
public sealed class SegmentTests
{
    [Theory]
    [InlineData("")]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData(".hidden")]
    [InlineData("..")]
    [InlineData("spaces are bad")]
    [InlineData("tab\t")]
    public void Invalid_names_are_refused_before_touching_the_file_system(string name)
    {
        Assert.Throws<ArgumentException>(() => SharedChannel.CreateWriter(name));
        Assert.Throws<ArgumentException>(() => SharedChannel.OpenReader(name));
    }

    [Fact]
    public void A_name_over_200_characters_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => SharedChannel.CreateWriter(new string('a', 201)));
        Assert.Contains("200", error.Message);
    }

    [Fact]
    public void Opening_a_missing_channel_says_so()
    {
        using var channel = new TestChannel();
        var error = Assert.Throws<ChannelNotFoundException>(() => SharedChannel.OpenReader(channel.Name, channel.Options()));
        Assert.Contains(channel.Name, error.Message);
        Assert.Contains("NEOBUFFER_DIR", error.Message);
    }

    [Fact]
    public void Creating_an_existing_channel_says_so()
    {
        using var channel = new TestChannel();
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options());
        Assert.Throws<ChannelExistsException>(() => SharedChannel.CreateReader(channel.Name, channel.Options()));
    }

    [Fact]
    public void The_segment_is_private_to_its_owner_by_default()
    {
        using var channel = new TestChannel();
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(channel.SegmentPath));
    }

    [Fact]
    public void NEOBUFFER_DIR_chooses_the_directory_when_the_option_is_not_set()
    {
        using var channel = new TestChannel();
        string? before = Environment.GetEnvironmentVariable("NEOBUFFER_DIR");
        Environment.SetEnvironmentVariable("NEOBUFFER_DIR", channel.Directory);
        try
        {
            using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name);
            Assert.True(File.Exists(channel.SegmentPath));
        }
        finally
        {
            Environment.SetEnvironmentVariable("NEOBUFFER_DIR", before);
        }
    }

    [Fact]
    public void A_second_reader_is_refused_while_the_first_lives()
    {
        using var channel = new TestChannel();
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options());
        using SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, channel.Options());
        var error = Assert.Throws<ChannelRoleTakenException>(() => SharedChannel.OpenReader(channel.Name, channel.Options()));
        Assert.Contains("reader", error.Message);
        Assert.Throws<ChannelRoleTakenException>(() => SharedChannel.OpenWriter(channel.Name, channel.Options()));
    }

    [Fact]
    public void A_reader_reopened_after_dispose_resumes_where_the_last_one_stopped()
    {
        using var channel = new TestChannel();
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options());
        for (byte i = 0; i < 10; i++)
        {
            Assert.True(writer.TryWrite([i]));
        }

        using (SharedChannelReader first = SharedChannel.OpenReader(channel.Name, channel.Options()))
        {
            for (byte i = 0; i < 4; i++)
            {
                Assert.True(first.TryRead(out byte value));
                Assert.Equal(i, value);
            }
        }

        using SharedChannelReader second = SharedChannel.OpenReader(channel.Name, channel.Options());
        for (byte i = 4; i < 10; i++)
        {
            Assert.True(second.TryRead(out byte value));
            Assert.Equal(i, value);
        }

        Assert.False(second.TryRead(out byte _));
    }

    [Fact]
    public void A_writer_reopened_after_dispose_appends_after_what_was_written()
    {
        using var channel = new TestChannel();
        using SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, channel.Options());
        using (SharedChannelWriter first = SharedChannel.OpenWriter(channel.Name, channel.Options()))
        {
            first.TryWrite(1);
        }

        using (SharedChannelWriter second = SharedChannel.OpenWriter(channel.Name, channel.Options()))
        {
            second.TryWrite(2);
        }

        Assert.True(reader.TryRead(out int a));
        Assert.True(reader.TryRead(out int b));
        Assert.Equal((1, 2), (a, b));
    }

    [Fact]
    public void The_last_participant_out_removes_the_segment()
    {
        using var channel = new TestChannel();
        SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options());
        SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, channel.Options());
        writer.Dispose();
        Assert.True(File.Exists(channel.SegmentPath));
        reader.Dispose();
        Assert.False(File.Exists(channel.SegmentPath));
    }

    [Fact]
    public void KeepSegment_leaves_the_file_for_a_later_open()
    {
        using var channel = new TestChannel();
        SharedChannelOptions options = channel.Options();
        options.KeepSegment = true;
        using (SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, options))
        {
            writer.TryWrite(7);
        }

        using SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, channel.Options());
        Assert.True(reader.TryRead(out int value));
        Assert.Equal(7, value);
    }

    [Fact]
    public void Opening_with_another_schema_shows_both_schemas()
    {
        using var channel = new TestChannel();
        var mine = new MessageLayout("Camera.Frame", 16, 8, [], "message Camera.Frame v1");
        var theirs = new MessageLayout("Camera.Frame", 24, 8, [], "message Camera.Frame v2");
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options(), mine);
        var error = Assert.Throws<ChannelSchemaMismatchException>(() => SharedChannel.OpenReader(channel.Name, channel.Options(), theirs));
        Assert.Contains("message Camera.Frame v1", error.Message);
        Assert.Contains("message Camera.Frame v2", error.Message);
        Assert.Contains($"0x{mine.Fingerprint:X16}", error.Message);
        Assert.Throws<ChannelSchemaMismatchException>(() => SharedChannel.OpenReader(channel.Name, channel.Options()));
        using SharedChannelReader same = SharedChannel.OpenReader(channel.Name, channel.Options(), mine);
    }

    [Fact]
    public void Options_that_cannot_work_are_refused_at_create()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SharedChannelOptions { Capacity = 5000 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new SharedChannelOptions { Capacity = 1024 });
        using var channel = new TestChannel();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => SharedChannel.CreateWriter(channel.Name, channel.Options(capacity: 4096, maxMessageSize: 4000)));
        Assert.Contains("Capacity", error.Message);
        Assert.False(File.Exists(channel.SegmentPath));
    }

    [Fact]
    public void A_file_that_is_not_a_channel_is_refused_and_left_untouched()
    {
        using var channel = new TestChannel();
        byte[] garbage = RandomNumberGenerator.GetBytes(1 << 16);
        AssertRefusedAndUntouched(channel, garbage, "not a NeoBuffer channel");
    }

    [Fact]
    public void A_truncated_channel_is_refused_and_left_untouched()
    {
        using var channel = new TestChannel();
        byte[] header = ValidSegmentBytes(channel);
        AssertRefusedAndUntouched(channel, header[..5000], "truncated");
    }

    [Fact]
    public void A_header_with_an_absurd_capacity_is_refused_and_left_untouched()
    {
        using var channel = new TestChannel();
        byte[] bytes = ValidSegmentBytes(channel);
        BitConverter.GetBytes(1UL << 60).CopyTo(bytes, 0x18);
        AssertRefusedAndUntouched(channel, bytes, "capacity");
    }

    [Fact]
    public void A_header_corrupted_after_creation_fails_its_checksum()
    {
        using var channel = new TestChannel();
        byte[] bytes = ValidSegmentBytes(channel);
        bytes[0x58] ^= 0x01; // the creation time: nothing but the checksum can tell it changed
        AssertRefusedAndUntouched(channel, bytes, "checksum");
    }

    [Fact]
    public void A_header_of_another_format_version_names_both_versions()
    {
        using var channel = new TestChannel();
        byte[] bytes = ValidSegmentBytes(channel);
        BitConverter.GetBytes(2u).CopyTo(bytes, 0x08); // an MPSC closer announces itself since version 3: a version-2 peer must be refused
        AssertRefusedAndUntouched(channel, bytes, "format version 2");
    }

    [Fact]
    public void A_symlink_planted_at_the_segment_path_is_not_followed()
    {
        using var channel = new TestChannel();
        string target = Path.Combine(channel.Directory, "victim-" + channel.Name);
        File.WriteAllText(target, "precious");
        File.CreateSymbolicLink(channel.SegmentPath, target);
        try
        {
            Assert.Throws<ChannelExistsException>(() => SharedChannel.CreateWriter(channel.Name, channel.Options()));
            var error = Assert.Throws<SharedChannelException>(() => SharedChannel.OpenReader(channel.Name, channel.Options()));
            Assert.Contains("symbolic link", error.Message);
            Assert.Equal("precious", File.ReadAllText(target));
        }
        finally
        {
            File.Delete(target);
        }
    }

    [Fact]
    public void A_fifo_planted_at_the_segment_path_is_refused_as_no_channel_and_left_alone_by_sweeps()
    {
        using var channel = new TestChannel();
        MakeFifo(channel.SegmentPath);

        // A FIFO has no size (lseek fails on it): it used to reach the header reader as length -1.
        var error = Assert.Throws<ChannelFormatException>(() => SharedChannel.OpenReader(channel.Name, channel.Options()));
        Assert.Contains("a pipe, not a regular file", error.Message);
        Assert.Throws<ChannelExistsException>(() => SharedChannel.CreateWriter(channel.Name, channel.Options()));
        Assert.Equal(0, SharedChannel.RemoveStale(channel.Directory));
        Assert.DoesNotContain(SharedChannel.List(channel.Directory), c => c.Name == channel.Name);
        Assert.True(File.Exists(channel.SegmentPath));
    }

    private static void MakeFifo(string path)
    {
        using var mkfifo = System.Diagnostics.Process.Start("mkfifo", [path]);
        Assert.True(mkfifo.WaitForExit(TimeSpan.FromSeconds(30)) && mkfifo.ExitCode == 0, $"mkfifo {path} failed");
    }

    private static byte[] ValidSegmentBytes(TestChannel channel)
    {
        SharedChannelOptions options = channel.Options(capacity: 4096);
        options.KeepSegment = true;
        SharedChannel.CreateWriter(channel.Name, options).Dispose();
        byte[] bytes = File.ReadAllBytes(channel.SegmentPath);
        File.Delete(channel.SegmentPath);
        return bytes;
    }

    private static void AssertRefusedAndUntouched(TestChannel channel, byte[] contents, string reason)
    {
        File.WriteAllBytes(channel.SegmentPath, contents);
        var error = Assert.Throws<ChannelFormatException>(() => SharedChannel.OpenReader(channel.Name, channel.Options()));
        Assert.Contains(reason, error.Message);
        Assert.Equal(contents, File.ReadAllBytes(channel.SegmentPath));
    }
}
