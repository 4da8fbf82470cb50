using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;
using NeoBuffer.Testing;
using NeoBuffer.TestHost.Messages;

namespace NeoBuffer.Cli.Tests;

/// <summary>
/// Files that are not whole, valid channels: every verb that reads one says what is wrong in one line, exits 1, and
/// leaves the file byte for byte as it was; <c>ls</c> leaves it out.
/// </summary>
public sealed class BadInputTests : IDisposable
{
    private readonly TestChannel _channel = new("cli-bad");

    public BadInputTests()
    {
        // A real segment, kept after its writer is gone, to derive the bad ones from.
        var options = new SharedChannelOptions { Directory = _channel.Directory, Capacity = 1 << 16, KeepSegment = true };
        using (SharedChannelWriter<VideoFrame> writer = SharedChannel.CreateWriter<VideoFrame>(_channel.Name, options))
        {
            FrameContent.Write(writer, 0, 16);
        }

        Good = File.ReadAllBytes(_channel.SegmentPath);
    }

    private byte[] Good { get; }

    public void Dispose() => _channel.Dispose();

    [Theory]
    [InlineData("not-a-channel", "inspect", "not a NeoBuffer channel")]
    [InlineData("not-a-channel", "tail", "not a NeoBuffer channel")]
    [InlineData("truncated", "inspect", "truncated")]
    [InlineData("truncated", "tail", "truncated")]
    [InlineData("corrupted", "inspect", "checksum does not match")]
    [InlineData("corrupted", "tail", "checksum does not match")]
    [InlineData("bad-schema", "inspect", "schema text this tool cannot parse")]
    [InlineData("bad-schema", "tail", "schema text this tool cannot parse")]
    [InlineData("empty", "inspect", "shorter than a channel header")]
    public async Task A_bad_segment_is_one_line_exit_1_and_left_untouched(string kind, string verb, string reason)
    {
        string name = "bad-" + kind;
        string path = Path.Combine(_channel.Directory, "neobuffer." + name);
        File.WriteAllBytes(path, Make(kind));
        byte[] before = SHA256.HashData(File.ReadAllBytes(path));

        Neobuffer run = await Neobuffer.RunAsync(verb, name, "--dir", _channel.Directory);

        Assert.True(run.ExitCode == 1, run.ToString());
        string line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("neobuffer: ", line);
        Assert.Contains(reason, line);
        Assert.Equal("", run.Output);
        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(path)));

        // ls leaves out what is not a channel; a channel whose schema text does not parse is listed, without a schema name.
        Neobuffer list = await Neobuffer.RunAsync("ls", "--dir", _channel.Directory, "--json");
        Assert.True(list.ExitCode == 0, list.ToString());
        using (System.Text.Json.JsonDocument channels = System.Text.Json.JsonDocument.Parse(list.Output))
        {
            System.Text.Json.JsonElement[] listed = [.. channels.RootElement.EnumerateArray()];
            Assert.Contains(listed, c => c.GetProperty("name").GetString() == _channel.Name);
            Assert.Equal(kind == "bad-schema", listed.Any(c => c.GetProperty("name").GetString() == name && c.GetProperty("schema").ValueKind == System.Text.Json.JsonValueKind.Null));
            Assert.Equal(kind == "bad-schema" ? 2 : 1, listed.Length);
        }

        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(path)));
    }

    [Fact]
    public async Task A_fifo_under_a_channel_name_is_refused_in_one_line_and_hangs_no_verb()
    {
        // Opening a FIFO to read waits for a writer to open it too, for ever: every verb that reads segments did.
        string path = Path.Combine(_channel.Directory, "neobuffer.bad-fifo");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [path]))
        {
            Assert.True(mkfifo.WaitForExit(TimeSpan.FromSeconds(30)) && mkfifo.ExitCode == 0, $"mkfifo {path} failed");
        }

        foreach (string verb in new[] { "inspect", "tail", "rm" })
        {
            Neobuffer run = await Neobuffer.RunAsync(verb, "bad-fifo", "--dir", _channel.Directory);
            Assert.True(run.ExitCode == 1, run.ToString());
            string line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("neobuffer: ", line);
            Assert.Contains("a pipe, not a regular file", line);
        }

        Neobuffer list = await Neobuffer.RunAsync("ls", "--dir", _channel.Directory);
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains(list.Lines, line => line.StartsWith(_channel.Name, StringComparison.Ordinal));
        Assert.DoesNotContain(list.Lines, line => line.StartsWith("bad-fifo", StringComparison.Ordinal));

        Neobuffer top = await Neobuffer.RunAsync("top", "--dir", _channel.Directory, "--iterations", "1");
        Assert.True(top.ExitCode == 0, top.ToString());
    }

    [Fact]
    public async Task A_missing_channel_is_exit_1_and_a_bad_command_line_or_missing_directory_exit_2()
    {
        Neobuffer missing = await Neobuffer.RunAsync("inspect", "nothing-here", "--dir", _channel.Directory);
        Assert.True(missing.ExitCode == 1, missing.ToString());
        Assert.Contains("No channel named 'nothing-here' exists", missing.Error);

        Neobuffer badName = await Neobuffer.RunAsync("tail", "a/b", "--dir", _channel.Directory);
        Assert.True(badName.ExitCode == 2, badName.ToString());

        Neobuffer unknown = await Neobuffer.RunAsync("frobnicate");
        Assert.True(unknown.ExitCode == 2, unknown.ToString());
        Assert.Single(unknown.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        Neobuffer negative = await Neobuffer.RunAsync("tail", _channel.Name, "-n", "-3");
        Assert.True(negative.ExitCode == 2, negative.ToString());

        string nowhere = Path.Combine(_channel.Directory, "no-such-directory");
        foreach (string verb in new[] { "ls", "gc", "top" })
        {
            Neobuffer mistyped = await Neobuffer.RunAsync(verb, "--dir", nowhere);
            Assert.True(mistyped.ExitCode == 2, mistyped.ToString());
            Assert.Contains($"the directory '{nowhere}' does not exist", mistyped.Error);
            Assert.Equal("", mistyped.Output);
        }
    }

    private byte[] Make(string kind)
    {
        byte[] bytes = (byte[])Good.Clone();
        switch (kind)
        {
            case "not-a-channel":
                return Encoding.UTF8.GetBytes(new string('x', 8192));
            case "empty":
                return [];
            case "truncated":
                return bytes.AsSpan(0, bytes.Length - 4096).ToArray();
            case "corrupted":
                bytes[0x58] ^= 0x40; // the creation time, inside the checksummed identity block
                return bytes;
            default: // bad-schema: a schema text this version cannot parse, under a checksum that matches it
                int offset = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(0x30));
                int length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(0x34));
                Encoding.ASCII.GetBytes("neobuffer-schema 9").CopyTo(bytes, offset);
                ulong hash = Fnv1a(bytes.AsSpan(offset, length), Fnv1a(bytes.AsSpan(0, 0x78), 14695981039346656037UL));
                BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(0x78), hash);
                return bytes;
        }
    }

    private static ulong Fnv1a(ReadOnlySpan<byte> bytes, ulong hash)
    {
        foreach (byte b in bytes)
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return hash;
    }
}
