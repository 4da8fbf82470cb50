using System;
using System.Threading.Tasks;

namespace NeoBuffer.Samples.Tests;

/// <summary>
/// samples/SpscPair when its peer fails: the consumer ends with one line on standard error and exit code 1 (the
/// channel failed) or 2 (bad command line), never a stack trace or a death by signal, and leaves no segment behind.
/// The producer here is a SendReceive sender, which opens any raw channel's writer and waits on its standard input, so
/// the test decides when it writes and when it dies.
/// </summary>
public sealed class SpscPairFailureTests
{
    private const int SigKill = 9;
    private const int SigStop = 19;
    private const int WriterRow = 0; // SPSC: row 0 is the writer's, row 1 the reader's
    private const int ReaderRow = 1;
    private const int ActiveRow = 2;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_consumer_whose_producer_is_killed_says_so_in_one_line_and_removes_the_segment()
    {
        using var segments = new SegmentDirectory();
        using SampleProcess consumer = SampleProcess.Start("SpscPair", segments.Path, "consume", "pair");
        await segments.WaitForChannelAsync("pair", Timeout);
        using SampleProcess producer = SampleProcess.Start("SendReceive", segments.Path, "send", "pair");
        using (var segment = new SegmentFile(segments.Path, "pair"))
        {
            await Poll.UntilAsync(() => segment.RowState(WriterRow) == ActiveRow, Timeout, "the producer to attach");
        }

        producer.Signal(SigKill);

        string error = await CleanFailure.AssertAsync(consumer, expectedExitCode: 1, Timeout);
        Assert.Contains("died", error);
        Assert.Empty(segments.Files);
    }

    [Fact]
    public async Task A_producer_whose_consumer_is_killed_says_so_in_one_line_and_removes_the_segment()
    {
        using var segments = new SegmentDirectory();
        using SampleProcess consumer = SampleProcess.Start("SpscPair", segments.Path, "consume", "pair");
        await segments.WaitForChannelAsync("pair", Timeout);
        using (var segment = new SegmentFile(segments.Path, "pair"))
        {
            // The channel is named before its creator takes the reader's row; a producer waits for a reader that never
            // came instead of failing, so stopping the consumer before it holds its row would test something else.
            await Poll.UntilAsync(() => segment.RowState(ReaderRow) == ActiveRow, Timeout, "the consumer to hold its row");
        }

        consumer.Signal(SigStop); // it reads nothing more, so the producer fills the 1 MiB ring and waits for room
        using SampleProcess producer = SampleProcess.Start("SpscPair", segments.Path, "produce", "pair");
        await producer.WaitForLineAsync("[producer pid", Timeout);

        consumer.Signal(SigKill);

        string error = await CleanFailure.AssertAsync(producer, expectedExitCode: 1, Timeout);
        Assert.Contains("died", error);
        Assert.Empty(segments.Files);
    }

    [Fact]
    public async Task A_consumer_given_a_message_of_another_size_says_so_in_one_line()
    {
        using var segments = new SegmentDirectory();
        using SampleProcess consumer = SampleProcess.Start("SpscPair", segments.Path, "consume", "pair");
        await segments.WaitForChannelAsync("pair", Timeout);
        using SampleProcess producer = SampleProcess.Start("SendReceive", segments.Path, "send", "pair");

        await producer.Input.WriteLineAsync("hi");
        await producer.Input.FlushAsync();

        string error = await CleanFailure.AssertAsync(consumer, expectedExitCode: 1, Timeout);
        Assert.Contains("64", error);
        producer.Input.Close();
        await producer.ExitCodeAsync(Timeout);
        Assert.Empty(segments.Files);
    }

    [Fact]
    public async Task A_consumer_whose_ring_is_corrupted_says_so_in_one_line()
    {
        using var segments = new SegmentDirectory();
        using SampleProcess consumer = SampleProcess.Start("SpscPair", segments.Path, "consume", "pair");
        await segments.WaitForChannelAsync("pair", Timeout);

        // A committed record 2 GiB long where the consumer waits: an SPSC reader follows record headers alone, and a
        // parked one looks at least every 100 ms.
        using (var segment = new SegmentFile(segments.Path, "pair"))
        {
            segment.WriteRecordHeader(segment.Read64(SegmentFile.HeadOffset), int.MaxValue - 15, type: 1);
        }

        string error = await CleanFailure.AssertAsync(consumer, expectedExitCode: 1, Timeout);
        Assert.Contains("corrupt", error);
        Assert.Empty(segments.Files);
    }

    [Fact]
    public async Task A_producer_without_a_channel_says_so_in_one_line()
    {
        using var segments = new SegmentDirectory();
        using SampleProcess producer = SampleProcess.Start("SpscPair", segments.Path, "produce", "nobody-here");
        string error = await CleanFailure.AssertAsync(producer, expectedExitCode: 1, Timeout);
        Assert.Contains("nobody-here", error);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("consume", "a/b")]
    [InlineData("produce", "..")]
    [InlineData("consume", "pair", "extra")]
    public async Task Bad_arguments_are_one_line_and_exit_code_2(params string[] args)
    {
        using var segments = new SegmentDirectory();
        using SampleProcess sample = SampleProcess.Start("SpscPair", segments.Path, args);
        await CleanFailure.AssertAsync(sample, expectedExitCode: 2, Timeout);
        Assert.Empty(segments.Files);
    }
}
