using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Win32.SafeHandles;
using NeoBuffer.Testing;
using NeoBuffer.TestHost.Functions;
using NeoBuffer.TestHost.Messages;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// Process functions run in real children of the test host (the executable that declares them), with their arguments
/// and results through real channels. Every call is bounded; every test checks that no child and no segment of its
/// calls is left behind.
/// </summary>
public sealed class ProcessFunctionTests : IDisposable
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(60);
    private static readonly ProcessFunctionOptions s_options = new() { Timeout = s_bound };

    public void Dispose() => Assert.Empty(LeftSegments());

    [Fact]
    public async Task Add_runs_in_another_process_and_returns_its_result()
    {
        Assert.Equal(12, await TestFunctions.AddProcess.RunAsync(5, 7, s_options));
        Assert.Equal(12, TestFunctions.AddProcess.Run(5, 7, s_options));
        Assert.NotEqual(Environment.ProcessId, await TestFunctions.ProcessIdProcess.RunAsync(s_options));
    }

    [Fact]
    public async Task Strings_null_and_fixed_messages_and_values_round_trip()
    {
        var tick = new Tick { Sequence = 42, Price = 1.5, Volume = (Int128)1 << 100, Side = 'B' };
        Guid id = Guid.NewGuid();
        string text = "héllo, wörld \U0001F600";
        string described = await TestFunctions.DescribeProcess.RunAsync(text, null, tick, true, id, s_options);
        Assert.Equal($"{text}|null|42:1.5:{(Int128)1 << 100}:B|True|{id}", described);
    }

    [Fact]
    public async Task A_message_with_variable_length_fields_crosses_both_ways()
    {
        byte[] label = Encoding.UTF8.GetBytes("sensor");
        byte[] record = new byte[Labelled.Builder.LengthFor(label.Length, 3)];
        var builder = new Labelled.Builder(record, label.Length, 3);
        builder.Id = 7;
        label.CopyTo(builder.LabelUtf8);
        new[] { 1.0, 2.5, -4.0 }.CopyTo(builder.Values);

        OwnedMessage<Labelled> result = await TestFunctions.RelabelProcess.RunAsync(new OwnedMessage<Labelled>(record), "-2", s_options);

        var view = new Labelled.View(result.Record);
        Assert.Equal(8, view.Id);
        Assert.Equal("sensor-2", view.Label);
        Assert.Equal(new[] { 2.0, 5.0, -8.0 }, view.Values.ToArray());
    }

    [Fact]
    public async Task An_async_function_is_awaited_in_the_child()
    {
        Assert.Equal(5050L, await TestFunctions.SumAsyncProcess.RunAsync(100, s_options));
    }

    [Fact]
    public async Task An_exception_in_the_child_carries_its_type_message_and_stack()
    {
        var error = await Assert.ThrowsAsync<ProcessFunctionException>(() => TestFunctions.FailProcess.RunAsync("bad input", s_options));
        Assert.Equal("System.InvalidOperationException", error.ChildExceptionType);
        Assert.Equal("bad input", error.ChildMessage);
        Assert.Contains("TestFunctions.Fail", error.ChildStackTrace);
        Assert.Equal("NeoBuffer.TestHost.Functions.TestFunctions.Fail", error.FunctionName);
    }

    [Theory]
    [InlineData(9)]
    [InlineData(6)]
    public async Task A_child_killed_by_a_signal_surfaces_with_the_signal(int signal)
    {
        var error = await Assert.ThrowsAsync<ProcessFunctionCrashedException>(() => TestFunctions.CrashProcess.RunAsync(signal, s_options));
        Assert.Equal(signal, error.Signal);
        Assert.Contains($"signal {signal}", error.Message);
    }

    [Fact]
    public async Task A_timeout_kills_the_child()
    {
        using ProcessFunctionHandle handle = TestFunctions.HangProcess.Spawn(s_options);
        int pid = handle.ProcessId;
        await Assert.ThrowsAsync<TimeoutException>(() => handle.WaitAsync(TimeSpan.FromMilliseconds(300)));
        Assert.Equal(128 + 9, await handle.WaitForExitAsync(s_bound));
        await Assert.ThrowsAsync<ProcessFunctionCrashedException>(() => handle.Completion);
        Assert.False(IsRunning(pid));
    }

    [Fact]
    public async Task Disposing_a_killed_call_leaves_none_of_its_channels_behind()
    {
        // The result's collector is still waiting on the result channel when the child dies; the handle's Dispose must
        // not return before that wait has, or the channel is removed only later, by whichever thread ends the wait.
        for (int call = 0; call < 20; call++)
        {
            ProcessFunctionHandle handle = TestFunctions.HangProcess.Spawn(s_options);
            handle.Kill();
            await handle.WaitForExitAsync(s_bound);
            handle.Dispose();
            Assert.Empty(LeftSegments());
        }
    }

    [Fact]
    public async Task Cancellation_kills_the_child()
    {
        using var cancel = new CancellationTokenSource();
        using ProcessFunctionHandle handle = TestFunctions.HangProcess.Spawn(s_options);
        cancel.CancelAfter(300);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => handle.WaitAsync(s_bound, cancel.Token));
        Assert.Equal(128 + 9, await handle.WaitForExitAsync(s_bound));
        Assert.False(IsRunning(handle.ProcessId));
    }

    [Fact]
    public async Task A_cancelled_run_returns_with_its_child_gone()
    {
        using var cancel = new CancellationTokenSource();
        Task run = TestFunctions.HangProcess.RunAsync(s_options, cancel.Token);
        cancel.CancelAfter(300);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        // Run disposed its handle, which waits for the killed child: its segments are gone with it (checked by Dispose).
    }

    [Fact]
    public async Task Kill_ends_a_spawned_function_as_a_crash()
    {
        using ProcessFunctionHandle handle = TestFunctions.HangProcess.Spawn(s_options);
        handle.Kill();
        var error = await Assert.ThrowsAsync<ProcessFunctionCrashedException>(() => handle.Completion.WaitAsync(s_bound));
        Assert.Equal(9, error.Signal);
    }

    [Fact]
    public async Task A_worker_serves_a_channel_until_the_parent_completes_it()
    {
        using var numbersChannel = new TestChannel("procfn-numbers");
        using var squaresChannel = new TestChannel("procfn-squares");
        using SharedChannelWriter numbers = SharedChannel.CreateWriter(numbersChannel.Name, numbersChannel.Options());
        using SharedChannelReader squares = SharedChannel.CreateReader(squaresChannel.Name, squaresChannel.Options());
        using ProcessFunctionHandle<int> worker = TestFunctions.SquareProcess.Spawn(numbers, squares, s_options);

        const int count = 1000;
        long expected = 0, sum = 0;
        int received = 0;
        Deadline deadline = Deadline.In(s_bound, "squares from the worker");
        for (long i = 1; i <= count; i++)
        {
            expected += i * i;
            using (WriteClaim claim = numbers.Claim(sizeof(long), deadline.Remaining))
            {
                BitConverter.TryWriteBytes(claim.Payload, i);
                claim.Commit();
            }

            while (squares.TryLease(out ReadLease lease))
            {
                using (lease)
                {
                    sum += BitConverter.ToInt64(lease.Payload);
                    received++;
                }
            }
        }

        numbers.Complete();
        while (received < count && squares.WaitToRead(deadline.Remaining))
        {
            while (squares.TryLease(out ReadLease lease))
            {
                using (lease)
                {
                    sum += BitConverter.ToInt64(lease.Payload);
                    received++;
                }
            }
        }

        Assert.Equal(count, await worker.Result.WaitAsync(s_bound));
        Assert.Equal(expected, sum);
    }

    [Fact]
    public async Task A_typed_endpoint_reaches_the_child_as_the_other_end_of_the_channel()
    {
        using var channel = new TestChannel("procfn-ticks");
        using SharedChannelWriter<Tick> ticks = SharedChannel.CreateWriter<Tick>(channel.Name, channel.Options());
        using ProcessFunctionHandle<long> child = TestFunctions.SumTicksProcess.Spawn(ticks, s_options);
        for (long i = 1; i <= 100; i++)
        {
            Assert.True(ticks.TryWrite(new Tick { Sequence = i }));
        }

        ticks.Complete();
        Assert.Equal(5050L, await child.Result.WaitAsync(s_bound));
    }

    [Fact]
    public async Task A_duplex_channel_reaches_the_child_as_its_other_end()
    {
        using var channel = new TestChannel("procfn-duplex");
        using SharedDuplexChannel<Tick, Tick> duplex = SharedChannel.CreateDuplex<Tick, Tick>(channel.Name, channel.Options());
        using ProcessFunctionHandle<int> child = TestFunctions.DoubleTicksProcess.Spawn(duplex, s_options);
        long sum = 0;
        for (long i = 1; i <= 100; i++)
        {
            Assert.True(duplex.Writer.TryWrite(new Tick { Sequence = i }));
            Assert.True(duplex.Reader.WaitToRead(s_bound));
            Assert.True(duplex.Reader.TryRead(out Tick answer));
            sum += answer.Sequence;
        }

        duplex.Writer.Complete();
        Assert.Equal(100, await child.Result.WaitAsync(s_bound));
        Assert.Equal(2 * 5050L, sum);
    }

    [Fact]
    public async Task A_file_handle_is_inherited_by_the_child_alone()
    {
        string path = Path.Combine(Path.GetTempPath(), $"procfn-{Environment.ProcessId}-{Guid.NewGuid():N}.txt");
        try
        {
            using (SafeFileHandle file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite))
            {
                RandomAccess.Write(file, "first\n"u8, 0);
                Assert.Equal(12L, await TestFunctions.AppendLineProcess.RunAsync(file, "child", s_options));
            }

            Assert.Equal("first\nchild\n", File.ReadAllText(path));
            // The duplicate made for the child is closed again in the parent.
            Assert.DoesNotContain(OpenDescriptors.Targets(), target => target == path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Output_passes_through_unless_captured()
    {
        using ProcessFunctionHandle handle = TestFunctions.PrintProcess.Spawn("captured", new ProcessFunctionOptions { CaptureOutput = true });
        await handle.WaitAsync(s_bound);
        await handle.WaitForExitAsync(s_bound);
        Assert.Equal("out: captured\n", handle.StandardOutput);
        Assert.Equal("err: captured\n", handle.StandardError);

        using ProcessFunctionHandle passing = TestFunctions.PrintProcess.Spawn("passed", s_options);
        await passing.WaitAsync(s_bound);
        Assert.Null(passing.StandardOutput);
    }

    [Fact]
    public async Task A_function_can_run_another_in_a_grandchild()
    {
        Assert.Equal(3, await TestFunctions.AddInGrandchildProcess.RunAsync(1, 2, s_options));
    }

    [Fact]
    public async Task The_child_dies_with_its_parent()
    {
        using ChildProcess parent = ChildProcess.Start("spawn-and-hang");
        int child = int.Parse(await parent.FirstLineAsync(s_bound));
        using Process grandchild = Process.GetProcessById(child);
        Assert.Equal(parent.Id, ParentOf(child));

        using (Process process = Process.GetProcessById(parent.Id))
        {
            process.Kill(entireProcessTree: false);
        }

        await grandchild.WaitForExitAsync().WaitAsync(s_bound);
        Assert.False(IsRunning(child));
    }

    [Fact]
    public async Task Sigint_to_the_parent_reaches_the_child()
    {
        using ChildProcess parent = ChildProcess.Start("spawn-and-hang");
        int child = int.Parse(await parent.FirstLineAsync(s_bound));
        using Process grandchild = Process.GetProcessById(child);
        Assert.Equal(0, Kill(parent.Id, 2));
        await grandchild.WaitForExitAsync().WaitAsync(s_bound);
        await parent.ExitCodeAsync(s_bound);
        Assert.False(IsRunning(child));
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);

    private static IEnumerable<string> LeftSegments() =>
        Directory.GetFiles("/dev/shm", $"neobuffer.procfn.{Environment.ProcessId}.*");

    private static bool IsRunning(int pid) =>
        File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Split(") ")[1].StartsWith('Z');

    private static int ParentOf(int pid) => int.Parse(File.ReadAllText($"/proc/{pid}/stat").Split(") ")[1].Split(' ')[1]);
}
