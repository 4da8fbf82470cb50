using System;
using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;
using System.Reflection;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace NeoBuffer;

/// <summary>
/// What the generated <c>NameProcess</c> classes call: start a function's child with its arguments, wait for its
/// result, and (in every process) learn the executable's table of functions. Call the generated classes instead.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ProcessFunctionHost
{
    private static readonly ConcurrentDictionary<Assembly, ProcessFunctionDispatcher> s_dispatchers = new();
    private static long s_calls;

    /// <summary>Registers the process functions of <paramref name="assembly"/> (its generated module initializer does).</summary>
    public static void Register(Assembly assembly, ProcessFunctionDispatcher dispatcher) => s_dispatchers[assembly] = dispatcher;

    /// <summary>Starts <paramref name="functionName"/> of <paramref name="declaringType"/> in a child with <paramref name="arguments"/>.</summary>
    public static ProcessFunctionHandle Spawn(Type declaringType, string functionName, ProcessPayloadWriter arguments, ProcessFunctionOptions? options) =>
        new(Start(declaringType, functionName, arguments, options ?? new ProcessFunctionOptions()));

    /// <summary>Starts <paramref name="functionName"/> in a child; its result is decoded by <paramref name="decodeResult"/>.</summary>
    public static ProcessFunctionHandle<TResult> Spawn<TResult>(Type declaringType, string functionName, ProcessPayloadWriter arguments, Func<ProcessPayloadReader, TResult> decodeResult, ProcessFunctionOptions? options) =>
        new(Start(declaringType, functionName, arguments, options ?? new ProcessFunctionOptions()), decodeResult);

    /// <summary>Waits for a spawned function without a result (up to the options' timeout), then disposes its handle.</summary>
    public static async Task RunAsync(ProcessFunctionHandle handle, ProcessFunctionOptions? options, CancellationToken cancellationToken)
    {
        using (handle)
        {
            await handle.WaitAsync(options?.Timeout ?? Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits for a spawned function's result (up to the options' timeout), then disposes its handle.</summary>
    public static async Task<TResult> RunAsync<TResult>(ProcessFunctionHandle<TResult> handle, ProcessFunctionOptions? options, CancellationToken cancellationToken)
    {
        using (handle)
        {
            return await handle.GetResultAsync(options?.Timeout ?? Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
        }
    }

    internal static ProcessFunctionDispatcher? DispatcherOf(Assembly assembly) => s_dispatchers.TryGetValue(assembly, out ProcessFunctionDispatcher? dispatcher) ? dispatcher : null;

    private static StartedChild Start(Type declaringType, string functionName, ProcessPayloadWriter arguments, ProcessFunctionOptions options)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        string channel = $"procfn.{Environment.ProcessId}.{Interlocked.Increment(ref s_calls)}";
        ReadOnlySpan<byte> record = arguments.WrittenSpan;
        long capacity = 64 << 10;
        while (SharedChannelOptions.LargestMessageFor(capacity) < record.Length)
        {
            capacity *= 2;
        }

        SharedChannelWriter? argumentWriter = null;
        SharedChannelReader? results = null;
        try
        {
            argumentWriter = SharedChannel.CreateWriter(channel + ".args", new SharedChannelOptions { Capacity = capacity });
            if (!argumentWriter.TryWrite(record))
            {
                throw new InvalidOperationException($"The arguments of '{functionName}' ({record.Length} bytes) did not fit a ring sized for them.");
            }

            argumentWriter.Complete();
            results = SharedChannel.CreateReader(channel + ".result", new SharedChannelOptions { Capacity = options.ResultCapacity });
            ProcessStartInfo start = ChildCommand.For(declaringType.Assembly);
            ProcessFunctionChild.Describe(start.Environment, declaringType.Assembly, functionName, channel);
            StringBuilder? output = null, error = null;
            if (options.CaptureOutput)
            {
                start.RedirectStandardOutput = start.RedirectStandardError = true;
                output = new StringBuilder();
                error = new StringBuilder();
            }

            Process process = ChildLauncher.Start(start, arguments);
            if (output is not null && error is not null)
            {
                process.OutputDataReceived += (_, e) => Append(output, e.Data);
                process.ErrorDataReceived += (_, e) => Append(error, e.Data);
                process.BeginOutputReadLine();
                process.BeginErrorReadLine();
            }

            ChildSignals.Track(process);
            return new StartedChild(functionName, process, argumentWriter, results, output, error);
        }
        catch
        {
            arguments.CloseInheritedDescriptors();
            results?.Dispose();
            argumentWriter?.Dispose();
            throw;
        }
    }

    private static void Append(StringBuilder text, string? line)
    {
        if (line is not null)
        {
            lock (text)
            {
                text.Append(line).Append('\n');
            }
        }
    }
}
