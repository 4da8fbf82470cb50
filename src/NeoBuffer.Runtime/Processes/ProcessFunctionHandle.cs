using System;
using System.Diagnostics;
using System.Text;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace NeoBuffer;

/// <summary>
/// A process function running in its child process: await <see cref="Completion"/> (or the typed handle's
/// <c>Result</c>), <see cref="Kill"/> it, or wait for the process to exit. Disposing kills a child that is still
/// running and removes the call's channels.
/// </summary>
public class ProcessFunctionHandle : IDisposable
{
    // The child writes the result record, then exits. The parent waits for whichever comes first, the record or the
    // exit: a record means the function returned (or threw); an exit with no record in the ring means the child died
    // first. A record committed just before the exit is still in the ring after it, so "exited, then no record" is
    // proof, not a race.
    internal const byte Returned = 0;
    internal const byte Threw = 1;

    private static readonly TimeSpan s_exitAfterResult = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly SharedChannelWriter _arguments;
    private readonly SharedChannelReader _results;
    private readonly StringBuilder? _output;
    private readonly StringBuilder? _error;
    private readonly Task _exited;
    private Task _recordWait = Task.CompletedTask;
    private int _disposed;

    internal ProcessFunctionHandle(StartedChild child)
    {
        FunctionName = child.FunctionName;
        _process = child.Process;
        _arguments = child.Arguments;
        _results = child.Results;
        _output = child.Output;
        _error = child.Error;
        ProcessId = _process.Id;
        _exited = _process.WaitForExitAsync();
        ResultRecord = CollectAsync();
        ResultRecord.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>The function, as <c>Namespace.Type.Method</c>.</summary>
    public string FunctionName { get; }

    /// <summary>The child's pid.</summary>
    public int ProcessId { get; }

    /// <summary>
    /// Completes when the function has returned in the child; faults with <see cref="ProcessFunctionException"/> when
    /// it threw, or <see cref="ProcessFunctionCrashedException"/> when the child ended without a result.
    /// </summary>
    public Task Completion => ResultRecord;

    /// <summary>Whether the child process has exited.</summary>
    public bool HasExited => _exited.IsCompleted;

    /// <summary>What the child printed on standard output, when <see cref="ProcessFunctionOptions.CaptureOutput"/> is set (complete once it has exited).</summary>
    public string? StandardOutput => Captured(_output);

    /// <summary>What the child printed on standard error, when <see cref="ProcessFunctionOptions.CaptureOutput"/> is set (complete once it has exited).</summary>
    public string? StandardError => Captured(_error);

    /// <summary>The result record, decoded by the typed handle.</summary>
    private protected Task<byte[]> ResultRecord { get; }

    /// <summary>Kills the child (SIGKILL). <see cref="Completion"/> then faults with <see cref="ProcessFunctionCrashedException"/> unless the function had already returned.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill();
        }
        catch (InvalidOperationException)
        {
            // It has exited already.
        }
    }

    /// <summary>Waits for the child process to exit and returns its exit code.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (the child keeps running).</exception>
    public Task<int> WaitForExitAsync(CancellationToken cancellationToken = default) =>
        WaitForExitAsync(Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>Waits up to <paramref name="timeout"/> for the child process to exit and returns its exit code.</summary>
    /// <exception cref="TimeoutException">The child did not exit in time (it keeps running).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (the child keeps running).</exception>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        await _exited.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        return _process.ExitCode;
    }

    /// <summary>Kills the child if it is still running, waits for it to go, and removes the call's channels.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (!_exited.IsCompleted)
        {
            Kill();
        }

        // A SIGKILLed process is gone as soon as the kernel reaps it; bounded all the same, so a dispose never hangs.
        _exited.Wait(s_exitAfterResult);

        // The collector ends once it sees the exit, cancelling its wait for a record. That wait must have returned
        // before the reader is disposed: a reader disposed during a wait detaches (and removes the call's segments)
        // only when the wait returns, on whatever thread that is, so the call's channels could outlive this Dispose.
        WaitQuietly(ResultRecord);
        WaitQuietly(_recordWait);
        ChildSignals.Forget(_process.Id);
        _arguments.Dispose();
        _results.Dispose();
        _process.Dispose();
        GC.SuppressFinalize(this);
    }

    // Only for the wait to be over: whatever the task ended with is observed where it is awaited.
    private static void WaitQuietly(Task task)
    {
        try
        {
            task.Wait(s_exitAfterResult);
        }
        catch (AggregateException)
        {
        }
    }

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for the function to return and its child to exit; on timeout or
    /// cancellation the child is killed.
    /// </summary>
    /// <exception cref="ProcessFunctionException">The function threw in the child.</exception>
    /// <exception cref="ProcessFunctionCrashedException">The child ended without a result.</exception>
    /// <exception cref="TimeoutException">The function did not return in time (the child was killed).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (the child was killed).</exception>
    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken = default) => WaitForRecordAsync(timeout, cancellationToken);

    /// <summary>Waits for the function's end, kills the child on timeout or cancellation, and lets the child exit.</summary>
    private protected async Task<byte[]> WaitForRecordAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            byte[] record = await ResultRecord.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            // The child exits right after it wrote the result: a Run that returns leaves no process behind.
            await _exited.WaitAsync(s_exitAfterResult, CancellationToken.None).ConfigureAwait(false);
            return record;
        }
        catch (TimeoutException) when (!ResultRecord.IsCompleted)
        {
            Kill();
            throw new TimeoutException($"The process function '{FunctionName}' did not return within {timeout}; its child process {ProcessId} was killed.");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !ResultRecord.IsCompleted)
        {
            Kill();
            throw;
        }
    }

    private async Task<byte[]> CollectAsync()
    {
        using var stop = new CancellationTokenSource();
        try
        {
            while (true)
            {
                if (TryTakeRecord() is { } record)
                {
                    return Decode(record);
                }

                if (_exited.IsCompleted)
                {
                    // The exit is ordered after every store the child made, the result's commit included.
                    return TryTakeRecord() is { } last ? Decode(last) : throw new ProcessFunctionCrashedException(FunctionName, ProcessId, _process.ExitCode);
                }

                _recordWait = WaitForRecordAsync(stop.Token);
                await Task.WhenAny(_recordWait, _exited).ConfigureAwait(false);
            }
        }
        finally
        {
            stop.Cancel();
        }
    }

    private async Task WaitForRecordAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (await _results.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (Exception error) when (error is ChannelClosedException or ObjectDisposedException)
        {
            // The child's writer died or the handle was disposed: the exit says which and why.
        }

        await _exited.ConfigureAwait(false);
    }

    private byte[]? TryTakeRecord()
    {
        if (!_results.TryLease(out ReadLease lease))
        {
            return null;
        }

        using (lease)
        {
            return lease.Payload.ToArray();
        }
    }

    /// <summary>A reader of the value in a result record that <see cref="ResultRecord"/> found to be a return.</summary>
    private protected static ProcessPayloadReader ReturnedValue(byte[] record)
    {
        var reader = new ProcessPayloadReader(record);
        reader.ReadValue<byte>();
        return reader;
    }

    private byte[] Decode(byte[] record)
    {
        var reader = new ProcessPayloadReader(record);
        if (reader.ReadValue<byte>() == Returned)
        {
            return record;
        }

        string type = reader.ReadString();
        string message = reader.ReadString();
        string stack = reader.ReadString();
        throw new ProcessFunctionException(FunctionName, ProcessId, type, message, stack);
    }

    private static string? Captured(StringBuilder? text)
    {
        if (text is null)
        {
            return null;
        }

        lock (text)
        {
            return text.ToString();
        }
    }
}
