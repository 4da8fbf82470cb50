using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;

namespace NeoBuffer.Samples.Tests;

/// <summary>
/// samples/SendReceive against what a hostile or unlucky user does to it: every process ends with one line on standard
/// error and exit code 1 (the channel failed) or 2 (bad command line), never a stack trace or a death by signal, and
/// leaves no segment behind.
/// </summary>
public sealed class SendReceiveFailureTests
{
    private const int SigKill = 9;
    private const int SigStop = 19;
    private const int SigCont = 18;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_sender_whose_receiver_was_killed_says_so_in_one_line_and_removes_the_segment()
    {
        using var segments = new SegmentDirectory();
        using SampleProcess receiver = SampleProcess.Start("SendReceive", segments.Path, "receive", "chat");
        await segments.WaitForChannelAsync("chat", Timeout);
        using SampleProcess sender = SampleProcess.Start("SendReceive", segments.Path, "send", "chat");
        await sender.Input.WriteLineAsync("hello");
        await sender.Input.FlushAsync();
        await receiver.WaitUntilAsync((stdout, _) => stdout.Contains("hello"), Timeout, "the first line");

        receiver.Signal(SigKill);
        await receiver.ExitCodeAsync(Timeout);

        // More than the 1 MiB ring holds: once it is full, the sender waits for room and finds the receiver dead.
        string line = new('x', 200);
        Task feeding = FeedUntilClosed(sender, Enumerable.Repeat(line, 20_000));
        string error = await CleanFailure.AssertAsync(sender, expectedExitCode: 1, Timeout);
        await feeding;

        Assert.StartsWith("sender: ", error);
        Assert.Contains("died", error);
        Assert.Empty(segments.Files); // the sender was the last one attached
    }

    [Fact]
    public async Task A_sender_whose_last_lines_no_receiver_read_says_so_when_it_ends()
    {
        using var segments = new SegmentDirectory();
        using SampleProcess receiver = SampleProcess.Start("SendReceive", segments.Path, "receive", "chat");
        await segments.WaitForChannelAsync("chat", Timeout);
        using SampleProcess sender = SampleProcess.Start("SendReceive", segments.Path, "send", "chat");
        await sender.Input.WriteLineAsync("read");
        await receiver.WaitUntilAsync((stdout, _) => stdout.Contains("read"), Timeout, "the first line");
        receiver.Signal(SigKill);
        await receiver.ExitCodeAsync(Timeout);

        await sender.Input.WriteLineAsync("never read"); // the ring has room, so the write itself succeeds
        sender.Input.Close();

        string error = await CleanFailure.AssertAsync(sender, expectedExitCode: 1, Timeout);
        Assert.Contains("never read", error);
        Assert.Empty(segments.Files);
    }

    [Fact]
    public async Task A_sender_whose_receiver_stopped_reading_gives_up_once_the_ring_stays_full_in_one_line()
    {
        using var segments = new SegmentDirectory();
        using SampleProcess receiver = SampleProcess.Start("SendReceive", segments.Path, "receive", "chat");
        await segments.WaitForChannelAsync("chat", Timeout);
        using SampleProcess sender = SampleProcess.Start("SendReceive", segments.Path, "send", "chat");
        await sender.Input.WriteLineAsync("first");
        await sender.Input.FlushAsync();
        await receiver.WaitUntilAsync((stdout, _) => stdout.Contains("first"), Timeout, "the first line");

        // The receiver is alive (its row's lock held) but reads nothing more: stopped, as by Ctrl+Z or a debugger.
        receiver.Signal(SigStop);
        try
        {
            // 2 MiB of lines into the 1 MiB ring: the sender fills it, then waits for room that never comes. The
            // feeding stops at a full pipe meanwhile, and fails once the sender has exited.
            Task feeding = Task.Run(async () =>
            {
                try
                {
                    string line = new('x', 1000);
                    for (int i = 0; i < 2048; i++)
                    {
                        await sender.Input.WriteLineAsync(line);
                    }

                    await sender.Input.FlushAsync();
                }
                catch (IOException)
                {
                }
            });

            string error = await CleanFailure.AssertAsync(sender, expectedExitCode: 1, Timeout);
            Assert.Contains("made no room for a line in 10 s", error);
            await feeding.WaitAsync(Timeout);
        }
        finally
        {
            receiver.Signal(SigCont);
        }

        receiver.Signal(2); // SIGINT
        Assert.Equal(0, await receiver.ExitCodeAsync(Timeout));
        Assert.Empty(segments.Files);
    }

    [Fact]
    public async Task A_writer_of_line_breaks_and_terminal_escapes_gets_one_line_per_message_without_control_characters()
    {
        using var segments = new SegmentDirectory();
        using SampleProcess receiver = SampleProcess.Start("SendReceive", segments.Path, "receive", "chat");
        await segments.WaitForChannelAsync("chat", Timeout);

        // A writer of the channel's own (this process, through the raw API) writes what no typed line holds: a line
        // break that would forge a second received line, and escape sequences that would clear the receiver's terminal
        // and retitle it, a line separator, and invisible characters (a right-to-left override, a zero-width space, a tag
        // character) that would hide what a line says. Every message stays one line, each of those replaced by spaces.
        using (SharedChannelWriter hostile = SharedChannel.OpenWriter("chat", new SharedChannelOptions { Directory = segments.Path }))
        {
            foreach (string text in new[] { "one\ntwo", "\u001b[2J\u001b]0;owned\u0007cleared", "tab\tand\rreturn", "line\u2028separator", "\u202Ereversed\u200Bhidden\U000E0041tag", "last" })
            {
                Assert.True(hostile.TryWrite(System.Text.Encoding.UTF8.GetBytes(text)));
            }
        }

        await receiver.WaitUntilAsync((stdout, _) => stdout.Contains("last"), Timeout, "the last message");
        receiver.Signal(2); // SIGINT
        Assert.Equal(0, await receiver.ExitCodeAsync(Timeout));
        Assert.Equal(["one two", " [2J ]0;owned cleared", "tab and return", "line separator", " reversed hidden  tag", "last"], receiver.OutputLines);
    }

    [Fact]
    public async Task A_receiver_whose_ring_is_corrupted_says_so_in_one_line_and_removes_the_segment()
    {
        using var segments = new SegmentDirectory();
        using SampleProcess receiver = SampleProcess.Start("SendReceive", segments.Path, "receive", "chat");
        await segments.WaitForChannelAsync("chat", Timeout);

        // A scribbler claims 64 bytes and writes a committed record 2 GiB long there: impossible, and the receiver
        // meets it at its next look at the ring (a parked reader looks at least every 100 ms).
        using (var segment = new SegmentFile(segments.Path, "chat"))
        {
            long head = segment.Read64(SegmentFile.HeadOffset);
            segment.WriteRecordHeader(head, int.MaxValue - 15, type: 1);
            segment.Write64(SegmentFile.ClaimTailOffset, head + 64);
        }

        string error = await CleanFailure.AssertAsync(receiver, expectedExitCode: 1, Timeout);
        Assert.Contains("corrupt", error);
        Assert.Empty(receiver.OutputLines);
        Assert.Empty(segments.Files);
    }

    [Fact]
    public async Task A_second_receiver_on_the_same_name_says_one_is_running()
    {
        using var segments = new SegmentDirectory();
        using SampleProcess first = SampleProcess.Start("SendReceive", segments.Path, "receive", "chat");
        await segments.WaitForChannelAsync("chat", Timeout);

        using SampleProcess second = SampleProcess.Start("SendReceive", segments.Path, "receive", "chat");
        string error = await CleanFailure.AssertAsync(second, expectedExitCode: 1, Timeout);
        Assert.Contains("receiver", error);

        first.Signal(2);
        Assert.Equal(0, await first.ExitCodeAsync(Timeout));
        Assert.Empty(segments.Files);
    }

    [Fact]
    public async Task A_name_held_by_a_file_that_is_not_a_channel_is_refused_in_one_line_and_left_alone()
    {
        using var segments = new SegmentDirectory();
        string path = Path.Combine(segments.Path, "neobuffer.chat");
        await File.WriteAllTextAsync(path, "not a channel");

        using SampleProcess receiver = SampleProcess.Start("SendReceive", segments.Path, "receive", "chat");
        await CleanFailure.AssertAsync(receiver, expectedExitCode: 1, Timeout);
        using SampleProcess sender = SampleProcess.Start("SendReceive", segments.Path, "send", "chat");
        await CleanFailure.AssertAsync(sender, expectedExitCode: 1, Timeout);

        Assert.Equal("not a channel", await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task A_segment_directory_that_does_not_exist_is_one_line()
    {
        using var segments = new SegmentDirectory();
        string missing = Path.Combine(segments.Path, "missing");
        using SampleProcess receiver = SampleProcess.Start("SendReceive", missing, "receive", "chat");
        string error = await CleanFailure.AssertAsync(receiver, expectedExitCode: 1, Timeout);
        Assert.Contains("does not exist", error);
    }

    [Theory]
    [InlineData]
    [InlineData("send")]
    [InlineData("shout", "chat")]
    [InlineData("receive", "a/b")]
    [InlineData("send", "..")]
    [InlineData("receive", "chat", "extra")]
    public async Task Bad_arguments_are_one_line_and_exit_code_2(params string[] args)
    {
        using var segments = new SegmentDirectory();
        using SampleProcess sample = SampleProcess.Start("SendReceive", segments.Path, args);
        await CleanFailure.AssertAsync(sample, expectedExitCode: 2, Timeout);
        Assert.Empty(segments.Files);
    }

    /// <summary>Writes <paramref name="lines"/> until they are done or the sender has closed its input (it exited).</summary>
    private static async Task FeedUntilClosed(SampleProcess sender, System.Collections.Generic.IEnumerable<string> lines)
    {
        try
        {
            foreach (string line in lines)
            {
                await sender.Input.WriteLineAsync(line);
            }

            sender.Input.Close();
        }
        catch (IOException)
        {
            // The sender exited: its end of the pipe is closed.
        }
    }
}
