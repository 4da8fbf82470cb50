using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;

namespace NeoBuffer.Samples.Tests;

/// <summary>samples/ProcessFunctions, run for real: the one-shot call, and a pool of worker processes stopped by Ctrl+C.</summary>
public sealed class ProcessFunctionsTests
{
    private const int SigInt = 2;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Add_prints_the_sum_computed_in_a_child()
    {
        using var segments = new SegmentDirectory();
        using SampleProcess sample = SampleProcess.Start("ProcessFunctions", segments.Path, "add", "5", "7");
        Assert.Equal(0, await sample.ExitCodeAsync(Timeout));
        Assert.Equal(["12"], sample.OutputLines);
        Assert.Empty(segments.Files);
    }

    [Fact]
    public async Task A_pool_prints_its_throughput_and_Ctrl_C_leaves_no_process_and_no_segment()
    {
        using var segments = new SegmentDirectory();
        using SampleProcess sample = SampleProcess.Start("ProcessFunctions", segments.Path, "pool", "--workers", "2", "--seconds", "600");
        await sample.WaitForLineAsync("2 workers started", Timeout);
        List<int> workers = Orphans.ChildrenOf(sample.Id);
        Assert.Equal(2, workers.Count);
        var watched = workers.Select(Process.GetProcessById).ToList();

        sample.Signal(SigInt);
        Assert.Equal(0, await sample.ExitCodeAsync(Timeout));
        Assert.Contains(sample.OutputLines, line => line.Contains("jobs answered") && line.EndsWith("(stopped)"));
        foreach (Process worker in watched)
        {
            using (worker)
            {
                await worker.WaitForExitAsync().WaitAsync(Timeout);
            }
        }

        Assert.Empty(segments.Files);
    }

    [Fact]
    public async Task A_pool_whose_worker_is_killed_says_so_in_one_line_without_blaming_the_directory()
    {
        using var segments = new SegmentDirectory();
        using SampleProcess sample = SampleProcess.Start("ProcessFunctions", segments.Path, "pool", "--workers", "1", "--seconds", "600");
        await sample.WaitForLineAsync("1 workers started", Timeout);
        int worker = Assert.Single(Orphans.ChildrenOf(sample.Id));

        SampleProcess.Signal(worker, 9); // SIGKILL: the function never returns
        string error = await CleanFailure.AssertAsync(sample, expectedExitCode: 1, Timeout);
        Assert.Contains("killed by signal 9", error);
        Assert.DoesNotContain("segment directory", error); // a crashed child is no directory problem
        Assert.True(segments.Files.Length == 0, "left behind: " + string.Join(", ", segments.Files));
    }
}
